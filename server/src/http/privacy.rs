//! Participants and their data: the privacy notice (`GET /api/privacy`), the facilitator's
//! list and revocation (`GET /api/roundtables/{id}/participants`,
//! `POST .../participants/{pid}/revoke`, `DELETE .../participants/{pid}`), and a participant's
//! own data (`GET /api/roundtables/{id}/me`) and erasure (`DELETE /api/roundtables/{id}/me`).
//!
//! Erasure blanks the name and kills the token; the cards stay, since the event log never
//! held the name: they are attributed to the organisation (or to nobody at an anonymous
//! roundtable). No name is ever logged here.

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::{delete, get, post},
};
use serde_json::{Value, json};
use tavoli_core::{
    Action, Lang,
    privacy::{PRIVACY_NOTICE_VERSION, privacy_notice},
};

use super::{
    access::{self, Access},
    commands::load_roundtable,
    error::ApiError,
    extract::{Answer, ReqLang},
    session::{Credentials, cookie_header, participant_cookie},
};
use crate::{clock::now_ms, state::AppState, storage::RoundtableRecord};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/privacy", get(notice))
        .route("/api/roundtables/{id}/participants", get(list))
        .route(
            "/api/roundtables/{id}/participants/{participant_id}",
            delete(erase_other),
        )
        .route(
            "/api/roundtables/{id}/participants/{participant_id}/revoke",
            post(revoke),
        )
        .route("/api/roundtables/{id}/me", get(my_data).delete(erase_me))
}

/// Events read per query when gathering a participant's own data.
const PAGE: u32 = 5000;

async fn notice() -> impl IntoResponse {
    axum::Json(json!({
        "version": PRIVACY_NOTICE_VERSION,
        "it": privacy_notice(Lang::It),
        "en": privacy_notice(Lang::En),
    }))
}

fn unknown_participant() -> ApiError {
    ApiError::refused(
        StatusCode::NOT_FOUND,
        "unknown_participant",
        "Nessun partecipante con questo id a questo tavolo.",
        "No participant with this id at this roundtable.",
    )
}

async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &id).await?;
            access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::ListParticipants,
            )
            .await?;
            let participants: Vec<Value> = state
                .storage
                .participants_of(&roundtable.id)
                .await?
                .into_iter()
                .map(|p| {
                    json!({"participant_id": p.id, "name": p.name, "organisation": p.organisation,
                           "organisation_kind": p.organisation_kind, "revoked": p.revoked})
                })
                .collect();
            Ok(axum::Json(json!({"participants": participants})).into_response())
        }
        .await,
    )
}

async fn revoke(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((id, participant_id)): Path<(String, String)>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &id).await?;
            let access = access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::RevokeParticipant,
            )
            .await?;
            if !state
                .storage
                .revoke_participant(&roundtable.id, &participant_id, now_ms())
                .await?
            {
                return Err(unknown_participant());
            }
            state.live.revocations.revoke(&participant_id);
            access::audit(
                &state,
                &access,
                Some(&roundtable.process_id),
                Some(&roundtable.id),
                "revoke_participant",
                json!({"participant_id": participant_id}),
            )
            .await;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn erase(
    state: &AppState,
    access: &Access,
    roundtable: &RoundtableRecord,
    participant_id: &str,
) -> Result<(), ApiError> {
    if !state
        .storage
        .erase_participant(&roundtable.id, participant_id, now_ms())
        .await?
    {
        return Err(unknown_participant());
    }
    state.live.revocations.revoke(participant_id);
    access::audit(
        state,
        access,
        Some(&roundtable.process_id),
        Some(&roundtable.id),
        "erase_participant",
        json!({"participant_id": participant_id}),
    )
    .await;
    Ok(())
}

async fn erase_other(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((id, participant_id)): Path<(String, String)>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &id).await?;
            let access = access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::EraseParticipant,
            )
            .await?;
            erase(&state, &access, &roundtable, &participant_id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn own_participant(
    state: &AppState,
    headers: &HeaderMap,
    roundtable: &RoundtableRecord,
    action: Action<'_>,
) -> Result<String, ApiError> {
    let access = access::at_roundtable(
        state,
        &Credentials::from_headers(headers),
        roundtable,
        action,
    )
    .await?;
    access
        .participant
        .map(|p| p.id)
        .ok_or_else(unknown_participant)
}

async fn my_data(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &id).await?;
            let participant_id =
                own_participant(&state, &headers, &roundtable, Action::DownloadOwnData).await?;
            let data = state
                .storage
                .participant_data(&participant_id)
                .await?
                .ok_or_else(unknown_participant)?;
            // Everything the log holds about them: what they did, and what was done to them
            // (joined, attendance), in full (their own secret ballots included: they are theirs).
            let mut events = Vec::new();
            let mut since = 0;
            loop {
                let page = state
                    .storage
                    .events_since(&roundtable.id, since, PAGE, false)
                    .await?;
                let Some(last) = page.last() else { break };
                since = last.seq;
                for event in page {
                    let value: Value = serde_json::from_str(&event.body).unwrap_or_default();
                    if value["actor"]["participant_id"] == participant_id.as_str()
                        || value["participant_id"] == participant_id.as_str()
                    {
                        events.push(value);
                    }
                }
            }
            let body = json!({
                "participant": data,
                "privacy_notice": {"version": PRIVACY_NOTICE_VERSION, "text": privacy_notice(lang)},
                "roundtable": {"id": roundtable.id, "title": roundtable.title},
                "events": events,
            });
            Ok((
                [(
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"tavoli-i-miei-dati.json\"",
                )],
                axum::Json(body),
            )
                .into_response())
        }
        .await,
    )
}

async fn erase_me(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &id).await?;
            let access = access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::EraseSelf,
            )
            .await?;
            let participant_id = access
                .participant
                .as_ref()
                .map(|p| p.id.clone())
                .ok_or_else(unknown_participant)?;
            erase(&state, &access, &roundtable, &participant_id).await?;
            Ok((
                StatusCode::NO_CONTENT,
                [(
                    header::SET_COOKIE,
                    cookie_header(&participant_cookie(&roundtable.id), "", 0),
                )],
            )
                .into_response())
        }
        .await,
    )
}

/// This file's paths in the OpenAPI document (merged by `openapi::document`).
pub fn openapi_paths() -> Value {
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let pid = json!({"name": "participant_id", "in": "path", "required": true, "schema": {"type": "string"}});
    let object = |description: &str| json!({"description": description, "content": {"application/json": {"schema": {"type": "object"}}}});
    let refusals = json!({"401": error("Not signed in or token revoked"), "403": error("Not allowed"),
                          "404": error("Unknown roundtable or participant")});
    let with = |mut responses: Value, status: &str, answer: Value| {
        responses[status] = answer;
        responses
    };
    json!({
        "/api/privacy": {"get": {"summary": "The privacy notice accepted at join, with its version", "operationId": "privacyNotice",
            "security": [], "responses": {"200": object("The notice in Italian and English")}}},
        "/api/roundtables/{id}/participants": {"get": {"summary": "Participants of a roundtable (facilitator, planning office)",
            "operationId": "participants", "parameters": [id],
            "responses": with(refusals.clone(), "200", object("Participants with names"))}},
        "/api/roundtables/{id}/participants/{participant_id}": {"delete": {"summary": "Erase a participant's personal data (facilitator, planning office)",
            "operationId": "eraseParticipant", "parameters": [id, pid],
            "responses": with(refusals.clone(), "204", json!({"description": "Erased"}))}},
        "/api/roundtables/{id}/participants/{participant_id}/revoke": {"post": {"summary": "Revoke a participant's token (facilitator, planning office); their sockets close",
            "operationId": "revokeParticipant", "parameters": [id, pid],
            "responses": with(refusals.clone(), "204", json!({"description": "Revoked"}))}},
        "/api/roundtables/{id}/me": {
            "get": {"summary": "Download my data (participant, also after revocation)", "operationId": "myData", "parameters": [id],
                "responses": with(refusals.clone(), "200", object("Everything Tavoli holds about the caller"))},
            "delete": {"summary": "Erase me (participant): the name is deleted, the cards stay", "operationId": "eraseMe", "parameters": [id],
                "responses": with(refusals, "204", json!({"description": "Erased"}))}},
    })
}
