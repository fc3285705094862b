//! `POST /api/login` and `POST /api/logout`: staff sessions.

use axum::{
    Router,
    http::{HeaderMap, StatusCode, header},
    response::IntoResponse,
    routing::post,
};
use serde::Deserialize;
use serde_json::json;

use super::{
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    session::{Credentials, SESSION_COOKIE, SESSION_DAYS, cookie_header, over_tls, session_cookie},
};
use crate::{
    auth::{new_token, token_hash, verify_password},
    clock::now_ms,
    state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/login", post(login))
        .route("/api/logout", post(logout))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

async fn login(
    axum::extract::State(state): axum::extract::State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> Answer {
    Answer(lang, async {
        let user = state.storage.user_by_email(&body.email).await?;
        // Verify against a real hash even for an unknown email, so timing does not tell
        // which addresses have accounts.
        let hash = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.to_string());
        let password = body.password.clone();
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false);
        let user = match (user, ok) {
            (Some(user), true) => user,
            _ => {
                return Err(ApiError::refused(
                    StatusCode::UNAUTHORIZED,
                    "invalid_credentials",
                    "Email o password non corretti.",
                    "Wrong email or password.",
                ));
            }
        };
        // Rotation: a sign-in always starts a new session and ends the one the request came
        // with, so a token planted in a browser before sign-in never becomes a session.
        if let Some(old) = presented_token(&Credentials::from_headers(&headers)) {
            state.storage.delete_session(&token_hash(&old)).await?;
        }
        let token = new_token();
        let now = now_ms();
        let max_age = SESSION_DAYS * 24 * 3600;
        state.storage.purge_expired_sessions(now).await?;
        state.storage.create_session(&user.id, &token_hash(&token), now, now + max_age * 1000).await?;
        tracing::info!(user_id = %user.id, "staff signed in");
        Ok((
            [(header::SET_COOKIE, session_cookie(SESSION_COOKIE, &token, max_age, over_tls(&headers)))],
            axum::Json(json!({"token": token, "user": {"id": user.id, "name": user.name, "role": user.role}})),
        )
            .into_response())
    }
    .await)
}

async fn logout(
    axum::extract::State(state): axum::extract::State<AppState>,
    headers: HeaderMap,
) -> impl IntoResponse {
    if let Some(token) = presented_token(&Credentials::from_headers(&headers)) {
        let _ = state.storage.delete_session(&token_hash(&token)).await;
    }
    (
        [(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0))],
        StatusCode::NO_CONTENT,
    )
}

/// The staff token a request carries, Bearer first.
fn presented_token(credentials: &Credentials) -> Option<String> {
    credentials.bearer.clone().or_else(|| {
        credentials
            .cookies
            .iter()
            .find(|(n, _)| n == SESSION_COOKIE)
            .map(|(_, v)| v.clone())
    })
}

/// An argon2id hash of a random string, used to spend the same time on unknown emails.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3CgHtUqBGxM7rzsThQ3Vm6m5uTqHJDr7QpKrGP3ct1o";
