//! A roundtable's log and board: `POST /commands`, `GET /events`, `GET /board`, and the
//! websocket `GET /live`. Commands over HTTP and over the websocket share one path: the
//! protocol decoder of the core, then the writer.

use axum::{
    Router,
    extract::{Path, Query, State, WebSocketUpgrade, rejection::QueryRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use tavoli_core::{
    DomainError, Lang,
    protocol::{self, ClientMessage},
};

use super::{
    access,
    error::ApiError,
    extract::{Answer, ReqLang},
    session::Credentials,
};
use crate::{
    live::{CommandError, socket::Connection, writer::Submission},
    state::AppState,
    storage::RoundtableRecord,
};
use tavoli_core::Action;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/roundtables/{id}/commands", post(post_command))
        .route("/api/roundtables/{id}/events", get(get_events))
        .route("/api/roundtables/{id}/board", get(get_board))
        .route("/api/roundtables/{id}/live", get(live))
}

/// Events returned by one `GET /events` at most; ask again with the last seq for more.
const EVENTS_PAGE: u32 = 5000;

pub async fn load_roundtable(state: &AppState, id: &str) -> Result<RoundtableRecord, ApiError> {
    state
        .storage
        .roundtable(id)
        .await?
        .ok_or_else(|| ApiError::not_found("Tavolo", "Roundtable"))
}

/// The one mapping from a refused command to an API error.
pub fn command_error(error: &CommandError) -> ApiError {
    match error {
        CommandError::Domain(domain) => {
            let status = domain_status(domain);
            ApiError::refused(
                status,
                domain.code(),
                domain.message(Lang::It),
                domain.message(Lang::En),
            )
        }
        CommandError::CommandIdReused => ApiError::refused(
            StatusCode::CONFLICT,
            "command_id_reused",
            "Questo command_id è già stato usato per un altro tavolo: generane uno nuovo.",
            "This command_id was already used at another roundtable: generate a new one.",
        ),
        CommandError::Internal(cause) => ApiError::Internal(anyhow::anyhow!(cause.clone())),
    }
}

fn domain_status(error: &DomainError) -> StatusCode {
    let code = error.code();
    if code == "not_allowed" || code == "not_author" || code == "not_a_participant" {
        StatusCode::FORBIDDEN
    } else if code.starts_with("unknown_") {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

fn protocol_error(body: protocol::ErrorBody) -> ApiError {
    let status = match body.code.as_str() {
        "message_too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "not_allowed" => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    // The decoder already wrote the message in the caller's language; use it for both.
    ApiError::Refused {
        status,
        code: body.code.into(),
        it: body.message.clone(),
        en: body.message,
    }
}

async fn post_command(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: String,
) -> Answer {
    Answer(
        lang,
        async {
            // Authenticate, parse, authorize, then decide: a caller without credentials learns
            // nothing about the body it sent.
            let roundtable = load_roundtable(&state, &id).await?;
            let found = access::standing_at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
            )
            .await?;
            found.grant(Action::ReadBoard)?;
            let envelope =
                match protocol::parse_client_message(&body, lang).map_err(protocol_error)? {
                    ClientMessage::Command(envelope) => envelope,
                    ClientMessage::Ping => {
                        return Ok(axum::Json(json!({"type": "pong"})).into_response());
                    }
                };
            let access = found.grant(Action::Command(&envelope.command))?;
            let command_type = envelope.command.type_name();
            let submission = Submission {
                roundtable_id: roundtable.id.clone(),
                anonymous: roundtable.anonymous,
                actor: access.actor.clone(),
                envelope,
                new_participant: None,
            };
            let outcome = state
                .live
                .writer
                .submit(submission)
                .await
                .map_err(|e| command_error(&e))?;
            if let crate::live::Outcome::Applied { seq } = outcome {
                audit_command(&state, &access, &roundtable, command_type, seq).await;
            }
            Ok(axum::Json(json!({"seq": outcome.seq()})).into_response())
        }
        .await,
    )
}

#[derive(Deserialize)]
struct SinceQuery {
    #[serde(default)]
    since: u64,
}

async fn get_events(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<SinceQuery>, QueryRejection>,
) -> Answer {
    Answer(
        lang,
        async {
            let since = since_or_error(query)?;
            let roundtable = load_roundtable(&state, &id).await?;
            access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::ReadEvents,
            )
            .await?;
            let events = state
                .storage
                .events_since(&roundtable.id, since, EVENTS_PAGE, true)
                .await?;
            // The stored public JSON is sent as it is: no parse and re-encode per event.
            let mut body =
                String::with_capacity(events.iter().map(|e| e.body.len() + 1).sum::<usize>() + 16);
            body.push_str("{\"events\":[");
            for (i, event) in events.iter().enumerate() {
                if i > 0 {
                    body.push(',');
                }
                body.push_str(&event.body);
            }
            body.push_str("]}");
            Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
        }
        .await,
    )
}

fn since_or_error(query: Result<Query<SinceQuery>, QueryRejection>) -> Result<u64, ApiError> {
    match query {
        Ok(Query(q)) => Ok(q.since),
        Err(_) => Err(ApiError::refused(
            StatusCode::BAD_REQUEST,
            "invalid_field",
            "since: deve essere un numero intero non negativo.",
            "since: must be a non-negative integer.",
        )),
    }
}

async fn get_board(
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
                Action::ReadBoard,
            )
            .await?;
            let board = state
                .live
                .boards
                .get(&state.storage, &roundtable.id)
                .await?;
            Ok(axum::Json(board.public_view(roundtable.anonymous)).into_response())
        }
        .await,
    )
}

/// Websocket buffers: small and explicit. The defaults cost over 100 KB per connection; a
/// bounded write buffer is the backpressure that closes a peer that stops reading.
const WS_READ_BUFFER: usize = 4 * 1024;
const WS_WRITE_BUFFER: usize = 4 * 1024;
const WS_MAX_WRITE_BUFFER: usize = 1024 * 1024;

async fn live(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
    query: Result<Query<SinceQuery>, QueryRejection>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let result = async {
        check_origin(&headers)?;
        let since = since_or_error(query)?;
        let roundtable = load_roundtable(&state, &id).await?;
        let found = access::standing_at_roundtable(
            &state,
            &Credentials::from_headers(&headers),
            &roundtable,
        )
        .await?;
        let access = found.grant(Action::OpenLive)?;
        Ok::<_, ApiError>(Connection {
            state: state.clone(),
            roundtable_id: roundtable.id,
            process_id: roundtable.process_id,
            anonymous: roundtable.anonymous,
            actor: access.actor.clone(),
            access,
            found,
            since,
            lang,
        })
    }
    .await;
    match result {
        Ok(connection) => upgrade
            .read_buffer_size(WS_READ_BUFFER)
            .write_buffer_size(WS_WRITE_BUFFER)
            .max_write_buffer_size(WS_MAX_WRITE_BUFFER)
            .max_message_size(protocol::MAX_FRAME_BYTES)
            .max_frame_size(protocol::MAX_FRAME_BYTES)
            .on_upgrade(move |socket| connection.run(socket)),
        Err(error) => error.into_response_in(lang),
    }
}

/// A browser page of another site must not open a socket with our cookies: its `Origin` has
/// to name this server. Scripts without an Origin header (and a Bearer token) pass.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split("://").nth(1).unwrap_or("");
    if !host.is_empty() && origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(ApiError::refused(
            StatusCode::FORBIDDEN,
            "origin_refused",
            "Connessione rifiutata: la pagina non appartiene a questo server.",
            "Connection refused: the page does not belong to this server.",
        ))
    }
}

/// A staff member's command goes into the audit log (the event log says what changed; this
/// says which account did it, readable by the planning office).
pub async fn audit_command(
    state: &AppState,
    access: &access::Access,
    roundtable: &RoundtableRecord,
    command_type: &str,
    seq: u64,
) {
    if access.user.is_some() {
        access::audit(
            state,
            access,
            Some(&roundtable.process_id),
            Some(&roundtable.id),
            command_type,
            json!({"seq": seq}),
        )
        .await;
    }
}
