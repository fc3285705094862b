//! Staff accounts and roles: `POST /api/users` (a planning-office account creates staff
//! accounts), `POST /api/processes/{id}/members` (planning office or observer of a process),
//! `POST /api/roundtables/{id}/facilitators`, and the audit log
//! `GET /api/processes/{id}/audit`. Every handler asks `access` (the core's `authorize`).

use axum::{
    Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::json;
use tavoli_core::Action;

use super::{
    access,
    commands::load_roundtable,
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    processes::required_text,
    session::Credentials,
};
use crate::{
    auth::{MIN_PASSWORD_CHARS, hash_password},
    clock::now_ms,
    state::AppState,
    storage::{StorageError, UserRecord},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/users", post(create_user))
        .route("/api/processes/{id}/members", post(set_member))
        .route("/api/processes/{id}/audit", get(read_audit))
        .route("/api/roundtables/{id}/facilitators", post(add_facilitator))
}

/// Staff roles an account may hold, and roles inside a process.
pub const ACCOUNT_ROLES: &[&str] = &["planning_office", "facilitator"];
pub const PROCESS_ROLES: &[&str] = &["planning_office", "observer"];
/// Audit entries returned at most by one request.
const AUDIT_PAGE: i64 = 5000;

fn invalid(field: &str, it: &str, en: &str) -> ApiError {
    ApiError::refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_field",
        format!("{field}: {it}"),
        format!("{field}: {en}"),
    )
}

fn unknown_account() -> ApiError {
    ApiError::refused(
        StatusCode::NOT_FOUND,
        "unknown_account",
        "Nessun account con questa email: crealo prima con POST /api/users.",
        "No account has this email: create it first with POST /api/users.",
    )
}

#[derive(Deserialize)]
struct NewUserBody {
    email: String,
    #[serde(default)]
    name: String,
    password: String,
    role: String,
}

async fn create_user(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Json(body): Json<NewUserBody>,
) -> Answer {
    Answer(
        lang,
        async {
            let access = access::at_account(
                &state,
                &Credentials::from_headers(&headers),
                Action::CreateStaffAccount,
            )
            .await?;
            let email = required_text("email", &body.email, 200)?;
            if !email.contains('@') {
                return Err(invalid(
                    "email",
                    "non è un indirizzo email.",
                    "is not an email address.",
                ));
            }
            if !ACCOUNT_ROLES.contains(&body.role.as_str()) {
                return Err(invalid(
                    "role",
                    "usa planning_office o facilitator.",
                    "use planning_office or facilitator.",
                ));
            }
            let chars = body.password.chars().count();
            if !(MIN_PASSWORD_CHARS..=200).contains(&chars) {
                return Err(invalid(
                    "password",
                    &format!("da {MIN_PASSWORD_CHARS} a 200 caratteri."),
                    &format!("{MIN_PASSWORD_CHARS} to 200 characters."),
                ));
            }
            let name = match body.name.trim() {
                "" => email.clone(),
                name => required_text("name", name, 200)?,
            };
            let password = body.password.clone();
            let hash = tokio::task::spawn_blocking(move || hash_password(&password))
                .await
                .map_err(|e| ApiError::Internal(e.into()))?
                .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing: {e}")))?;
            let id = match state
                .storage
                .create_user(&email, &name, &hash, &body.role, now_ms())
                .await
            {
                Ok(id) => id,
                Err(StorageError::Conflict(_)) => {
                    return Err(ApiError::refused(
                        StatusCode::CONFLICT,
                        "email_taken",
                        "Esiste già un account con questa email.",
                        "An account with this email already exists.",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            access::audit(
                &state,
                &access,
                None,
                None,
                "create_user",
                json!({"user_id": id, "role": body.role}),
            )
            .await;
            Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
        }
        .await,
    )
}

async fn account_by_email(state: &AppState, email: &str) -> Result<UserRecord, ApiError> {
    state
        .storage
        .user_by_email(email)
        .await?
        .ok_or_else(unknown_account)
}

#[derive(Deserialize)]
struct MemberBody {
    email: String,
    role: String,
}

async fn set_member(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Json(body): Json<MemberBody>,
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
                Action::ManageMembers,
            )
            .await?;
            if !PROCESS_ROLES.contains(&body.role.as_str()) {
                return Err(invalid(
                    "role",
                    "usa planning_office o observer.",
                    "use planning_office or observer.",
                ));
            }
            let user = account_by_email(&state, &body.email).await?;
            state
                .storage
                .set_process_member(&process_id, &user.id, &body.role, now_ms())
                .await?;
            access::audit(
                &state,
                &access,
                Some(&process_id),
                None,
                "set_member",
                json!({"user_id": user.id, "role": body.role}),
            )
            .await;
            Ok(axum::Json(json!({"user_id": user.id, "role": body.role})).into_response())
        }
        .await,
    )
}

#[derive(Deserialize)]
struct FacilitatorBody {
    email: String,
}

async fn add_facilitator(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(roundtable_id): Path<String>,
    Json(body): Json<FacilitatorBody>,
) -> Answer {
    Answer(
        lang,
        async {
            let roundtable = load_roundtable(&state, &roundtable_id).await?;
            let access = access::at_roundtable(
                &state,
                &Credentials::from_headers(&headers),
                &roundtable,
                Action::ManageMembers,
            )
            .await?;
            let user = account_by_email(&state, &body.email).await?;
            state
                .storage
                .add_facilitator(&roundtable.id, &user.id)
                .await?;
            access::audit(
                &state,
                &access,
                Some(&roundtable.process_id),
                Some(&roundtable.id),
                "add_facilitator",
                json!({"user_id": user.id}),
            )
            .await;
            Ok(axum::Json(json!({"user_id": user.id})).into_response())
        }
        .await,
    )
}

async fn read_audit(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            state
                .storage
                .process(&process_id)
                .await?
                .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
            access::at_process(
                &state,
                &Credentials::from_headers(&headers),
                &process_id,
                Action::ReadAudit,
            )
            .await?;
            let entries = state.storage.audit_of(&process_id, AUDIT_PAGE).await?;
            Ok(axum::Json(json!({"entries": entries})).into_response())
        }
        .await,
    )
}

/// This file's paths in the OpenAPI document (merged by `openapi::document`).
pub fn openapi_paths() -> serde_json::Value {
    let errors = |extra: &[(&str, &str)]| {
        let mut responses = json!({
            "401": {"description": "Not signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "403": {"description": "Not allowed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        });
        for (status, description) in extra {
            responses[*status] = json!({"description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
        }
        responses
    };
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let body = |schema: serde_json::Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let mut create_user = errors(&[
        ("400", "Malformed body"),
        ("409", "Email taken"),
        ("413", "Too large"),
        ("415", "Not JSON"),
        ("422", "Invalid field"),
    ]);
    create_user["201"] = json!({"description": "Created", "content": {"application/json": {"schema": {"type": "object", "properties": {"id": {"type": "string"}}}}}});
    let mut member = errors(&[
        ("400", "Malformed body"),
        ("404", "Unknown process or account"),
        ("413", "Too large"),
        ("415", "Not JSON"),
        ("422", "Invalid field"),
    ]);
    member["200"] = json!({"description": "Role set", "content": {"application/json": {"schema": {"type": "object"}}}});
    let mut facilitator = member.clone();
    facilitator["200"] = json!({"description": "Facilitator added", "content": {"application/json": {"schema": {"type": "object"}}}});
    let mut audit = errors(&[("404", "Unknown process")]);
    audit["200"] = json!({"description": "Staff actions, oldest first", "content": {"application/json": {"schema": {"type": "object",
        "properties": {"entries": {"type": "array", "items": {"type": "object"}}}, "required": ["entries"]}}}});
    json!({
        "/api/users": {"post": {"summary": "Create a staff account (planning-office account)", "operationId": "createUser",
            "requestBody": body(json!({"type": "object", "properties": {"email": {"type": "string"}, "name": {"type": "string"},
                "password": {"type": "string", "minLength": MIN_PASSWORD_CHARS}, "role": {"enum": ACCOUNT_ROLES}},
                "required": ["email", "password", "role"]})),
            "responses": create_user}},
        "/api/processes/{id}/members": {"post": {"summary": "Give an account a role in a process (planning office)",
            "operationId": "setMember", "parameters": [id],
            "requestBody": body(json!({"type": "object", "properties": {"email": {"type": "string"}, "role": {"enum": PROCESS_ROLES}},
                "required": ["email", "role"]})),
            "responses": member}},
        "/api/processes/{id}/audit": {"get": {"summary": "The audit log of staff actions (planning office)",
            "operationId": "audit", "parameters": [id], "responses": audit}},
        "/api/roundtables/{id}/facilitators": {"post": {"summary": "Make an account a facilitator of a roundtable (planning office)",
            "operationId": "addFacilitator", "parameters": [id],
            "requestBody": body(json!({"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]})),
            "responses": facilitator}},
    })
}
