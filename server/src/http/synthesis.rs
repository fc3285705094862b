//! The synthesis API of a process: cross-cutting themes, intervention sheets (with edit
//! history and field-by-field merging of concurrent edits), coverage, the trace from needs to
//! sheets, ranked proposals and similarity suggestions. Thin: every handler calls the service
//! in `crate::synthesis`, which the pages call too.

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, patch, post},
};
use serde::Deserialize;
use serde_json::json;
use tavoli_core::{Lang, synthesis::SHEET_FIELDS};

use super::{
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    session::Credentials,
};
use crate::{
    state::AppState,
    synthesis::{self as service, EditRefusal, SheetEdit, SheetInput, ThemeEdit, ThemeInput},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/synthesis/fields", get(fields))
        .route(
            "/api/processes/{id}/themes",
            post(create_theme).get(list_themes),
        )
        .route(
            "/api/processes/{id}/themes/{theme_id}",
            patch(update_theme).delete(delete_theme),
        )
        .route(
            "/api/processes/{id}/sheets",
            post(create_sheet).get(list_sheets),
        )
        .route(
            "/api/processes/{id}/sheets/from-proposal",
            post(create_sheet_from_proposal),
        )
        .route(
            "/api/processes/{id}/sheets/{sheet_id}",
            get(get_sheet).patch(update_sheet),
        )
        .route(
            "/api/processes/{id}/sheets/{sheet_id}/history",
            get(sheet_history),
        )
        .route("/api/processes/{id}/coverage", get(coverage))
        .route("/api/processes/{id}/needs", get(needs))
        .route(
            "/api/processes/{id}/needs/{contribution_id}/sheets",
            get(sheets_answering),
        )
        .route(
            "/api/processes/{id}/proposals/ranked",
            get(ranked_proposals),
        )
        .route("/api/processes/{id}/suggestions", get(suggestions))
        .route(
            "/api/processes/{id}/suggestions/{suggestion_id}/accept",
            post(accept_suggestion),
        )
        .route(
            "/api/processes/{id}/suggestions/{suggestion_id}/reject",
            post(reject_suggestion),
        )
}

fn ok(value: serde_json::Value) -> Result<Response, ApiError> {
    Ok(axum::Json(value).into_response())
}

fn created(id: String) -> Result<Response, ApiError> {
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))).into_response())
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(value).map_err(|error| ApiError::Internal(error.into()))
}

/// The sheet fields with their shapes and labels, for scripts and forms.
async fn fields() -> Response {
    let fields: Vec<_> = SHEET_FIELDS
        .iter()
        .map(|spec| json!({"name": spec.name, "kind": spec.kind, "label_it": spec.label_it, "label_en": spec.label_en}))
        .collect();
    axum::Json(json!({"fields": fields})).into_response()
}

async fn create_theme(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Json(input): Json<ThemeInput>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        match service::create_theme(&state, &credentials, &process_id, input).await {
            Ok(id) => created(id),
            Err(error) => Err(error),
        },
    )
}

async fn list_themes(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let themes = service::list_themes(&state, &credentials, &process_id).await?;
            ok(json!({"themes": to_json(&themes)?}))
        }
        .await,
    )
}

async fn update_theme(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, theme_id)): Path<(String, String)>,
    Json(edit): Json<ThemeEdit>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let theme =
                service::update_theme(&state, &credentials, &process_id, &theme_id, edit).await?;
            ok(to_json(&theme)?)
        }
        .await,
    )
}

async fn delete_theme(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, theme_id)): Path<(String, String)>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            service::delete_theme(&state, &credentials, &process_id, &theme_id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}

async fn create_sheet(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Json(input): Json<SheetInput>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        match service::create_sheet(&state, &credentials, &process_id, input).await {
            Ok(id) => created(id),
            Err(error) => Err(error),
        },
    )
}

#[derive(Deserialize)]
struct FromProposal {
    contribution_id: String,
}

async fn create_sheet_from_proposal(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Json(body): Json<FromProposal>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        match service::create_sheet_from_proposal(
            &state,
            &credentials,
            &process_id,
            &body.contribution_id,
        )
        .await
        {
            Ok(id) => created(id),
            Err(error) => Err(error),
        },
    )
}

#[derive(Deserialize)]
struct SheetsQuery {
    /// Only the sheets that answer this need.
    need: Option<String>,
}

async fn list_sheets(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
    Query(query): Query<SheetsQuery>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    let need = query.need;
    Answer(
        lang,
        async {
            let sheets =
                service::list_sheets(&state, &credentials, &process_id, need.as_deref()).await?;
            ok(json!({"sheets": to_json(&sheets)?}))
        }
        .await,
    )
}

async fn sheets_answering(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, contribution_id)): Path<(String, String)>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let sheets =
                service::list_sheets(&state, &credentials, &process_id, Some(&contribution_id))
                    .await?;
            ok(json!({"contribution_id": contribution_id, "sheets": to_json(&sheets)?}))
        }
        .await,
    )
}

async fn get_sheet(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, sheet_id)): Path<(String, String)>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let sheet = service::get_sheet(&state, &credentials, &process_id, &sheet_id).await?;
            ok(to_json(&sheet)?)
        }
        .await,
    )
}

/// A 409 in the error shape, plus what the editor needs to merge: the current version, the
/// fields both changed, and the sheet as it is now.
fn conflict_response(
    lang: Lang,
    current: &service::SheetView,
    conflicting_fields: &[String],
) -> Response {
    let body = json!({"error": {
        "code": "edit_conflict",
        "message": service::conflict_message(conflicting_fields, lang),
        "current_version": current.version,
        "conflicting_fields": conflicting_fields,
        "current": current,
    }});
    (StatusCode::CONFLICT, axum::Json(body)).into_response()
}

async fn update_sheet(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, sheet_id)): Path<(String, String)>,
    Json(edit): Json<SheetEdit>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    let outcome = service::update_sheet(&state, &credentials, &process_id, &sheet_id, edit).await;
    Answer(
        lang,
        match outcome {
            Ok(sheet) => to_json(&sheet).and_then(ok),
            Err(EditRefusal::Refused(error)) => Err(error),
            Err(EditRefusal::Conflict {
                current,
                conflicting_fields,
            }) => Ok(conflict_response(lang, &current, &conflicting_fields)),
        },
    )
}

async fn sheet_history(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, sheet_id)): Path<(String, String)>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let history =
                service::sheet_history(&state, &credentials, &process_id, &sheet_id).await?;
            ok(json!({"history": to_json(&history)?}))
        }
        .await,
    )
}

async fn coverage(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let coverage = service::coverage(&state, &credentials, &process_id).await?;
            ok(to_json(&coverage)?)
        }
        .await,
    )
}

async fn needs(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let needs = service::needs(&state, &credentials, &process_id).await?;
            ok(json!({"needs": to_json(&needs)?}))
        }
        .await,
    )
}

async fn ranked_proposals(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let proposals = service::ranked_proposals(&state, &credentials, &process_id).await?;
            ok(json!({"proposals": to_json(&proposals)?}))
        }
        .await,
    )
}

async fn suggestions(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(process_id): Path<String>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            let suggestions = service::suggestions(&state, &credentials, &process_id).await?;
            ok(json!({"suggestions": to_json(&suggestions)?}))
        }
        .await,
    )
}

async fn accept_suggestion(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, suggestion_id)): Path<(String, String)>,
    Json(input): Json<ThemeInput>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        match service::accept_suggestion(&state, &credentials, &process_id, &suggestion_id, input)
            .await
        {
            Ok(id) => created(id),
            Err(error) => Err(error),
        },
    )
}

async fn reject_suggestion(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path((process_id, suggestion_id)): Path<(String, String)>,
) -> Answer {
    let credentials = Credentials::from_headers(&headers);
    Answer(
        lang,
        async {
            service::reject_suggestion(&state, &credentials, &process_id, &suggestion_id).await?;
            Ok(StatusCode::NO_CONTENT.into_response())
        }
        .await,
    )
}
