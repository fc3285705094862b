//! Who is calling: a staff session (cookie or Bearer) or a participant token (cookie or
//! Bearer). Resolving credentials into an `Actor` for a roundtable happens here, once, for
//! HTTP and the websocket alike; what that actor may do is the core's `permission` table.

use axum::http::{HeaderMap, StatusCode, header};
use tavoli_core::Actor;

use super::error::ApiError;
use crate::{
    auth::token_hash,
    clock::now_ms,
    state::AppState,
    storage::{ParticipantRecord, RoundtableRecord, UserRecord},
};

pub const SESSION_COOKIE: &str = tavoli_core::protocol::STAFF_SESSION_COOKIE;
/// Participant cookies are per roundtable: a phone can be at two tables.
pub fn participant_cookie(roundtable_id: &str) -> String {
    format!("tavoli_p_{roundtable_id}")
}

/// Staff sessions last a working week; a new login starts a new one.
pub const SESSION_DAYS: i64 = 7;

/// The credentials a request carries, not yet checked.
#[derive(Debug, Default)]
pub struct Credentials {
    pub bearer: Option<String>,
    pub cookies: Vec<(String, String)>,
}

impl Credentials {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        let mut cookies = Vec::new();
        for value in headers.get_all(header::COOKIE) {
            if let Ok(text) = value.to_str() {
                for pair in text.split(';') {
                    if let Some((name, value)) = pair.trim().split_once('=') {
                        cookies.push((name.to_string(), value.to_string()));
                    }
                }
            }
        }
        Credentials { bearer, cookies }
    }

    fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Who a caller is, independent of any roundtable.
#[derive(Debug, Clone)]
pub enum Caller {
    Staff(UserRecord),
    Participant(ParticipantRecord),
}

pub fn unauthenticated() -> ApiError {
    ApiError::refused(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Accesso richiesto: entra con il tuo account o partecipa con il codice del tavolo.",
        "Sign-in required: sign in with your account or join with the roundtable code.",
    )
}

pub fn forbidden() -> ApiError {
    ApiError::refused(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Non hai i permessi per questa operazione.",
        "You are not allowed to do this.",
    )
}

async fn by_token(state: &AppState, token: &str) -> Result<Option<Caller>, ApiError> {
    let hash = token_hash(token);
    if let Some(user) = state.storage.session_user(&hash, now_ms()).await? {
        return Ok(Some(Caller::Staff(user)));
    }
    match state.storage.participant_by_token(&hash).await? {
        Some(p) if !p.revoked => Ok(Some(Caller::Participant(p))),
        _ => Ok(None),
    }
}

/// The staff member behind a request, if any.
pub async fn staff(
    state: &AppState,
    credentials: &Credentials,
) -> Result<Option<UserRecord>, ApiError> {
    let token = credentials
        .bearer
        .as_deref()
        .or(credentials.cookie(SESSION_COOKIE));
    match token {
        Some(token) => match by_token(state, token).await? {
            Some(Caller::Staff(user)) => Ok(Some(user)),
            _ => Ok(None),
        },
        None => Ok(None),
    }
}

/// The planning-office account behind a request, or the right refusal. Account level only:
/// for anything inside a process use `access::at_process`, which checks the process role.
pub async fn planning_office(
    state: &AppState,
    credentials: &Credentials,
) -> Result<UserRecord, ApiError> {
    let access =
        super::access::at_account(state, credentials, tavoli_core::Action::CreateProcess).await?;
    access.user.ok_or_else(forbidden)
}

/// The actor a request speaks as at one roundtable, if it may read it (the core's
/// `authorize`): the planning office of its process, its facilitator, an observer, or a
/// participant of exactly this roundtable. Anyone else is refused (401 or 403).
pub async fn actor_for(
    state: &AppState,
    credentials: &Credentials,
    roundtable: &RoundtableRecord,
) -> Result<Actor, ApiError> {
    Ok(super::access::at_roundtable(
        state,
        credentials,
        roundtable,
        tavoli_core::Action::ReadBoard,
    )
    .await?
    .actor)
}

/// Whether the request reached us over TLS (directly or through a proxy that says so), so
/// cookies get the `Secure` flag.
pub fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
        || headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("https://"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, and Secure over TLS.
pub fn session_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    let cookie = cookie_header(name, value, max_age_seconds);
    if secure {
        format!("{cookie}; Secure")
    } else {
        cookie
    }
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/.
pub fn cookie_header(name: &str, value: &str, max_age_seconds: i64) -> String {
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}")
}
