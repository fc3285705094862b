//! `POST /api/join`: a participant joins a roundtable by its code, with a name, an
//! organisation and consent. No account: they get a random token (stored hashed), as JSON
//! for scripts and as an HttpOnly cookie for browsers.

use axum::{
    Router,
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
    routing::post,
};
use serde::Deserialize;
use serde_json::json;
use tavoli_core::{Actor, Command, CommandEnvelope, OrganisationKind, Role};

use super::{
    commands::command_error,
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    processes::required_text,
    session::{over_tls, participant_cookie, session_cookie},
};
use crate::{
    auth::{new_token, token_hash},
    live::writer::Submission,
    state::AppState,
    storage::NewParticipant,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/join", post(join))
}

pub const MAX_NAME: usize = 80;
pub const MAX_ORGANISATION: usize = 120;
/// A participant cookie lasts as long as a process could: a year.
const PARTICIPANT_COOKIE_SECONDS: i64 = 365 * 24 * 3600;

#[derive(Deserialize)]
pub struct JoinBody {
    pub join_code: String,
    pub name: String,
    pub organisation: String,
    pub organisation_kind: String,
    #[serde(default)]
    pub consent: bool,
}

/// What a successful join produced.
pub struct Joined {
    pub roundtable_id: String,
    pub participant_id: String,
    pub token: String,
}

async fn join(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: axum::http::HeaderMap,
    Json(body): Json<JoinBody>,
) -> Answer {
    Answer(
        lang,
        async {
            let joined = join_roundtable(&state, &body).await?;
            let cookie = session_cookie(
                &participant_cookie(&joined.roundtable_id),
                &joined.token,
                PARTICIPANT_COOKIE_SECONDS,
                over_tls(&headers),
            );
            Ok((
                StatusCode::CREATED,
                [(header::SET_COOKIE, cookie)],
                axum::Json(json!({
                    "roundtable_id": joined.roundtable_id,
                    "participant_id": joined.participant_id,
                    "token": joined.token,
                })),
            )
                .into_response())
        }
        .await,
    )
}

/// Checks the form, then stores the participant and its `participant_joined` event in one
/// transaction. Shared by the JSON API and the plain HTML form.
pub async fn join_roundtable(state: &AppState, body: &JoinBody) -> Result<Joined, ApiError> {
    let code = body.join_code.trim().to_uppercase();
    let roundtable = state
        .storage
        .roundtable_by_code(&code)
        .await?
        .ok_or_else(|| {
            ApiError::refused(
                StatusCode::NOT_FOUND,
                "unknown_join_code",
                "Nessun tavolo con questo codice: controlla il codice mostrato dal facilitatore.",
                "No roundtable has this code: check the code the facilitator shows.",
            )
        })?;
    let name = required_text("name", &body.name, MAX_NAME)?;
    let organisation = required_text("organisation", &body.organisation, MAX_ORGANISATION)?;
    let organisation_kind: OrganisationKind = serde_json::from_value(serde_json::Value::String(
        body.organisation_kind.clone(),
    ))
    .map_err(|_| {
        ApiError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "organisation_kind: tipo di organizzazione sconosciuto.",
            "organisation_kind: unknown kind of organisation.",
        )
    })?;
    if !body.consent {
        return Err(ApiError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "consent_required",
            "Per partecipare occorre accettare l'informativa sulla privacy.",
            "To take part you need to accept the privacy notice.",
        ));
    }
    let participant_id = uuid::Uuid::new_v4().to_string();
    let token = new_token();
    let envelope = CommandEnvelope {
        command_id: uuid::Uuid::new_v4(),
        command: Command::Join {
            organisation: organisation.clone(),
            organisation_kind,
        },
    };
    let submission = Submission {
        roundtable_id: roundtable.id.clone(),
        anonymous: roundtable.anonymous,
        actor: Actor {
            role: Role::Participant,
            participant_id: Some(participant_id.clone()),
            user_id: None,
        },
        envelope,
        new_participant: Some(NewParticipant {
            id: participant_id.clone(),
            roundtable_id: roundtable.id.clone(),
            process_id: roundtable.process_id.clone(),
            name,
            organisation,
            organisation_kind: body.organisation_kind.clone(),
            token_hash: token_hash(&token),
        }),
    };
    state
        .live
        .writer
        .submit(submission)
        .await
        .map_err(|e| command_error(&e))?;
    // Which notice was accepted, beside the time (consent_at, set with the row).
    state
        .storage
        .set_consent_notice(
            &participant_id,
            tavoli_core::privacy::PRIVACY_NOTICE_VERSION,
        )
        .await?;
    Ok(Joined {
        roundtable_id: roundtable.id,
        participant_id,
        token,
    })
}
