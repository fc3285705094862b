//! The data behind the live pages (`tavoli_app::api::Backend`): a roundtable as its caller may
//! see it, the join form of a code, the planning office. Credentials are resolved with the
//! same `http::session` functions as the JSON API, so a page never shows what the API refuses.

use axum::http::{HeaderMap, header};
use qrcodegen::{QrCode, QrCodeEcc};
use tavoli_app::api::{
    Access, JoinInfo, Me, OfficeView, OrganisationOption, Person, ProcessSummary,
    RoundtableSummary, RoundtableView, StaffInfo,
};
use tavoli_core::{OrganisationKind, Role};

use crate::{
    http::session::{self, Credentials},
    state::AppState,
    storage::StorageError,
};

fn internal(error: impl std::fmt::Debug) -> String {
    tracing::error!(?error, "page data failed");
    "internal error".to_string()
}

/// The address phones should open, as this server is reached by the one asking.
fn join_url(headers: &HeaderMap, code: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .filter(|scheme| *scheme == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}/t/{code}")
}

/// A QR code as a small SVG: one path, dark modules on a white quiet zone.
pub fn qr_svg(text: &str) -> String {
    let Ok(code) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let border = 4;
    let size = code.size() + border * 2;
    let mut path = String::new();
    for y in 0..code.size() {
        for x in 0..code.size() {
            if code.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    )
}

pub async fn roundtable_view(
    state: &AppState,
    headers: &HeaderMap,
    roundtable_id: &str,
) -> Result<Access<RoundtableView>, String> {
    let Some(roundtable) = state
        .storage
        .roundtable(roundtable_id)
        .await
        .map_err(internal)?
    else {
        return Ok(Access::NotFound);
    };
    let credentials = Credentials::from_headers(headers);
    let Ok(actor) = session::actor_for(state, &credentials, &roundtable).await else {
        return Ok(Access::SignInNeeded);
    };
    let board = state
        .live
        .boards
        .get(&state.storage, &roundtable.id)
        .await
        .map_err(internal)?;
    let process_title = state
        .storage
        .process(&roundtable.process_id)
        .await
        .map_err(internal)?
        .map(|process| process.title)
        .unwrap_or_default();
    let participants = state
        .storage
        .participants_of(&roundtable.id)
        .await
        .map_err(internal)?;
    let staff = actor.role != Role::Participant;
    let name = match &actor.participant_id {
        Some(id) => participants
            .iter()
            .find(|participant| &participant.id == id)
            .map(|participant| participant.name.clone())
            .unwrap_or_default(),
        None => session::staff(state, &credentials)
            .await
            .map_err(internal)?
            .map(|user| user.name)
            .unwrap_or_default(),
    };
    let url = join_url(headers, &roundtable.join_code);
    let people = if staff && !roundtable.anonymous {
        participants
            .into_iter()
            .map(|participant| Person {
                participant_id: participant.id,
                name: participant.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Access::Granted(RoundtableView {
        id: roundtable.id,
        title: roundtable.title,
        description: roundtable.description,
        join_code: roundtable.join_code,
        process_title,
        anonymous: roundtable.anonymous,
        me: Me {
            role: actor.role,
            participant_id: actor.participant_id,
            name,
        },
        board: board.public_view(roundtable.anonymous),
        qr_svg: if staff { qr_svg(&url) } else { String::new() },
        join_url: url,
        people,
    }))
}

pub async fn join_info(
    state: &AppState,
    headers: &HeaderMap,
    code: &str,
) -> Result<Access<JoinInfo>, String> {
    let code = code.trim().to_uppercase();
    let Some(roundtable) = state
        .storage
        .roundtable_by_code(&code)
        .await
        .map_err(internal)?
    else {
        return Ok(Access::NotFound);
    };
    let process_title = state
        .storage
        .process(&roundtable.process_id)
        .await
        .map_err(internal)?
        .map(|process| process.title)
        .unwrap_or_default();
    let organisations = state
        .storage
        .organisations_of(&roundtable.process_id)
        .await
        .map_err(internal)?
        .into_iter()
        .filter_map(|organisation| {
            let kind: OrganisationKind =
                serde_json::from_value(serde_json::Value::String(organisation.kind)).ok()?;
            Some(OrganisationOption {
                name: organisation.name,
                kind,
            })
        })
        .collect();
    // Coming back on the same device: the participant cookie of this roundtable still works.
    let credentials = Credentials::from_headers(headers);
    let resume_as = match session::actor_for(state, &credentials, &roundtable).await {
        Ok(actor) => match actor.participant_id {
            Some(id) => state
                .storage
                .participants_of(&roundtable.id)
                .await
                .map_err(internal)?
                .into_iter()
                .find(|participant| participant.id == id)
                .map(|participant| participant.name),
            None => None,
        },
        Err(_) => None,
    };
    Ok(Access::Granted(JoinInfo {
        roundtable_id: roundtable.id,
        title: roundtable.title,
        process_title,
        join_code: roundtable.join_code,
        organisations,
        resume_as,
    }))
}

pub async fn office(state: &AppState, headers: &HeaderMap) -> Result<Access<OfficeView>, String> {
    let credentials = Credentials::from_headers(headers);
    let Some(user) = session::staff(state, &credentials)
        .await
        .map_err(internal)?
    else {
        return Ok(Access::SignInNeeded);
    };
    let processes = processes(state).await.map_err(internal)?;
    Ok(Access::Granted(OfficeView {
        staff: StaffInfo {
            name: user.name,
            email: user.email,
            planning_office: user.role == "planning_office",
        },
        processes,
    }))
}

pub async fn processes(state: &AppState) -> Result<Vec<ProcessSummary>, StorageError> {
    let mut out = Vec::new();
    for process in state.storage.processes().await? {
        let roundtables = state
            .storage
            .roundtables_of(&process.id)
            .await?
            .into_iter()
            .map(|roundtable| RoundtableSummary {
                id: roundtable.id,
                title: roundtable.title,
                join_code: roundtable.join_code,
            })
            .collect();
        out.push(ProcessSummary {
            id: process.id,
            title: process.title,
            owner: process.owner,
            kind: process.kind,
            roundtables,
        });
    }
    Ok(out)
}
