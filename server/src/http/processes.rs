//! Processes and their roundtables: `POST /api/processes`, `GET /api/processes/{id}`,
//! `POST /api/processes/{id}/roundtables`.

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    access,
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    session::Credentials,
};
use crate::{
    auth::new_join_code,
    clock::now_ms,
    state::AppState,
    storage::{NewProcess, StorageError},
};
use tavoli_core::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/processes", post(create_process).get(list_processes))
        .route("/api/processes/{id}", get(get_process))
        .route("/api/processes/{id}/roundtables", post(create_roundtable))
}

pub const PROCESS_KINDS: &[&str] = &[
    "co_programmazione",
    "co_progettazione",
    "processo_partecipativo",
];
const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 10_000;

fn invalid(field: &str, it: &str, en: &str) -> ApiError {
    ApiError::refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        format!("{field}: {it}"),
        format!("{field}: {en}"),
    )
}

/// Trims and checks a required text field.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(
            field,
            "non può essere vuoto.",
            "must not be empty.",
        ));
    }
    if value.chars().count() > max {
        return Err(invalid(
            field,
            &format!("al massimo {max} caratteri."),
            &format!("at most {max} characters."),
        ));
    }
    Ok(value.to_string())
}

#[derive(Deserialize)]
struct ProcessBody {
    title: String,
    owner: String,
    kind: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    period: String,
}

async fn create_process(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Json(body): Json<ProcessBody>,
) -> Answer {
    Answer(
        lang,
        async {
            let access = access::at_account(
                &state,
                &Credentials::from_headers(&headers),
                Action::CreateProcess,
            )
            .await?;
            let title = required_text("title", &body.title, MAX_TITLE)?;
            let owner = required_text("owner", &body.owner, MAX_TITLE)?;
            if !PROCESS_KINDS.contains(&body.kind.as_str()) {
                return Err(invalid(
                    "kind",
                    "usa co_programmazione, co_progettazione o processo_partecipativo.",
                    "use co_programmazione, co_progettazione or processo_partecipativo.",
                ));
            }
            if body.description.chars().count() > MAX_DESCRIPTION {
                return Err(invalid(
                    "description",
                    "testo troppo lungo.",
                    "text too long.",
                ));
            }
            let new = NewProcess {
                title,
                owner,
                kind: body.kind.clone(),
                description: body.description.trim().to_string(),
                period: body.period.trim().chars().take(100).collect(),
                created_by: access.actor.user_id.clone(),
            };
            let id = state.storage.create_process(&new, now_ms()).await?;
            access::audit(
                &state,
                &access,
                Some(&id),
                None,
                "create_process",
                json!({"title": new.title}),
            )
            .await;
            Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
        }
        .await,
    )
}

async fn list_processes(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
) -> Answer {
    Answer(
        lang,
        async {
            // Everyone may ask; each sees only the processes they have a role in, and an
            // anonymous visitor those published on the home page.
            let access = access::at_account(
                &state,
                &Credentials::from_headers(&headers),
                Action::ListProcesses,
            )
            .await?;
            let visible = visible_process_ids(&state, access.user.as_ref()).await?;
            let processes: Vec<_> = state
                .storage
                .processes()
                .await?
                .into_iter()
                .filter(|p| visible.contains(&p.id))
                .collect();
            Ok(axum::Json(json!({"processes": processes})).into_response())
        }
        .await,
    )
}

async fn get_process(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            let process = state
                .storage
                .process(&id)
                .await?
                .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
            access::at_process(
                &state,
                &Credentials::from_headers(&headers),
                &id,
                Action::ReadProcess,
            )
            .await?;
            let roundtables = state.storage.roundtables_of(&id).await?;
            let mut value =
                serde_json::to_value(&process).map_err(|e| ApiError::Internal(e.into()))?;
            value["roundtables"] =
                serde_json::to_value(&roundtables).map_err(|e| ApiError::Internal(e.into()))?;
            Ok(axum::Json(value).into_response())
        }
        .await,
    )
}

#[derive(Deserialize)]
struct RoundtableBody {
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    anonymous: bool,
}

async fn create_roundtable(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Json(body): Json<RoundtableBody>,
) -> Answer {
    Answer(
        lang,
        async {
            state
                .storage
                .process(&process_id)
                .await?
                .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
            let access = access::at_process(
                &state,
                &Credentials::from_headers(&headers),
                &process_id,
                Action::CreateRoundtable,
            )
            .await?;
            let title = required_text("title", &body.title, MAX_TITLE)?;
            if body.description.chars().count() > MAX_DESCRIPTION {
                return Err(invalid(
                    "description",
                    "testo troppo lungo.",
                    "text too long.",
                ));
            }
            // A fresh code collides with an existing one once in ~10^8: try again a few times.
            for _ in 0..5 {
                let code = new_join_code();
                match state
                    .storage
                    .create_roundtable(
                        &process_id,
                        &title,
                        body.description.trim(),
                        &code,
                        body.anonymous,
                        now_ms(),
                    )
                    .await
                {
                    Ok(id) => {
                        access::audit(
                            &state,
                            &access,
                            Some(&process_id),
                            Some(&id),
                            "create_roundtable",
                            json!({"title": title}),
                        )
                        .await;
                        return Ok((
                            StatusCode::CREATED,
                            axum::Json(json!({"id": id, "join_code": code})),
                        )
                            .into_response());
                    }
                    Err(StorageError::Conflict(_)) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
            Err(ApiError::Internal(anyhow::anyhow!(
                "no free join code after 5 tries"
            )))
        }
        .await,
    )
}

/// The processes someone may see listed: the ones they have a role in, or, for anyone
/// without an account, the ones published on the home page.
pub async fn visible_process_ids(
    state: &AppState,
    user: Option<&crate::storage::UserRecord>,
) -> Result<Vec<String>, ApiError> {
    Ok(match user {
        Some(user) => state.storage.process_ids_of_user(&user.id).await?,
        None => state.storage.listed_process_ids().await?,
    })
}
