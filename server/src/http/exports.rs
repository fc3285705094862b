//! The Documento di proposta partecipata and the open data of a process:
//! `GET /api/processes/{id}/docpp.pdf` (`?lang=en` for English), `/export.json`, `/export.csv`,
//! and its validation, `GET`/`POST /api/processes/{id}/validation`.
//!
//! Only the planning office exports and validates: a document spans every roundtable of a
//! process, and a participant may read their own roundtable only (DESIGN §5). Rendering runs
//! on a blocking thread so a long document never stalls the live boards.

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::json;
use tavoli_core::Action;
use tavoli_core::Lang;

use super::{
    access,
    error::ApiError,
    extract::{Answer, Json, ReqLang},
    processes::required_text,
    session::{self, Credentials},
};
use crate::{
    clock::now_ms,
    export::{self, Format},
    pdf::{self, model},
    state::AppState,
    storage::{NewValidation, StorageError},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/processes/{id}/docpp.pdf", get(docpp))
        .route("/api/processes/{id}/export.json", get(export_json))
        .route("/api/processes/{id}/export.csv", get(export_csv))
        .route(
            "/api/processes/{id}/validation",
            get(validation).post(record_validation),
        )
}

#[derive(Deserialize)]
struct DocQuery {
    lang: Option<String>,
}

/// A file name made of the title's ASCII letters and digits, for Content-Disposition.
fn file_name(title: &str, extension: &str) -> String {
    let mut slug = String::new();
    for character in title.chars() {
        let character = match character {
            'à' | 'á' | 'À' => 'a',
            'è' | 'é' | 'È' | 'É' => 'e',
            'ì' | 'í' => 'i',
            'ò' | 'ó' => 'o',
            'ù' | 'ú' => 'u',
            c => c,
        };
        if character.is_ascii_alphanumeric() {
            slug.push(character.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    if slug.is_empty() {
        format!("docpp.{extension}")
    } else {
        format!("{slug}.{extension}")
    }
}

/// The process must exist (404), and the caller must be allowed the action on it by the
/// core's one table: exports for its planning office and observers, recording a validation
/// for its planning office. A participant is refused with 403: a document spans roundtables
/// they may not read.
async fn process_access(
    state: &AppState,
    headers: &HeaderMap,
    process_id: &str,
    action: Action<'_>,
) -> Result<access::Access, ApiError> {
    state
        .storage
        .process(process_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
    access::at_process(
        state,
        &Credentials::from_headers(headers),
        process_id,
        action,
    )
    .await
}

async fn export(
    state: AppState,
    headers: HeaderMap,
    id: String,
    format: Format,
    document_lang: Lang,
) -> Result<Response, ApiError> {
    process_access(&state, &headers, &id, Action::Export).await?;
    let model = pdf::assemble(&state, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
    let (prefix, extension, content_type) = match format {
        Format::Pdf => ("docpp-", "pdf", "application/pdf"),
        Format::Json => ("", "json", "application/json"),
        Format::Csv => ("", "csv", "text/csv; charset=utf-8; header=present"),
    };
    let name = format!("{prefix}{}", file_name(&model.process.title, extension));
    let bytes = tokio::task::spawn_blocking(move || export::render(&model, format, document_lang))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("export failed: {e}")))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response_headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Process data, often a draft: never kept by a shared cache.
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

async fn docpp(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DocQuery>,
) -> Answer {
    // The document is Italian unless English is asked for by name: the Accept-Language of
    // whoever downloads it says how to word errors, not what language the administration gets.
    let document_lang = match query.lang.as_deref() {
        None | Some("it") => Ok(Lang::It),
        Some("en") => Ok(Lang::En),
        Some(_) => Err(ApiError::refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            "lang: usa it oppure en.",
            "lang: use it or en.",
        )),
    };
    Answer(
        lang,
        match document_lang {
            Ok(document_lang) => export(state, headers, id, Format::Pdf, document_lang).await,
            Err(e) => Err(e),
        },
    )
}

async fn export_json(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        export(state, headers, id, Format::Json, Lang::It).await,
    )
}

async fn export_csv(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        export(state, headers, id, Format::Csv, Lang::It).await,
    )
}

async fn validation(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Answer {
    Answer(
        lang,
        async {
            process_access(&state, &headers, &id, Action::Export).await?;
            let process = state
                .storage
                .process(&id)
                .await?
                .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
            let records = state.storage.validations_of(&id).await?;
            Ok(axum::Json(json!({
                "required": model::validation_required(&process.kind),
                "validations": records,
            }))
            .into_response())
        }
        .await,
    )
}

#[derive(Deserialize)]
struct ValidationBody {
    validator_name: String,
    validator_role: String,
    #[serde(default)]
    note: String,
}

const MAX_NAME: usize = 200;
const MAX_NOTE: usize = 4000;

async fn record_validation(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(body): Json<ValidationBody>,
) -> Answer {
    Answer(
        lang,
        async {
            let user = process_access(&state, &headers, &id, Action::EditSynthesis)
                .await?
                .user
                .ok_or_else(session::forbidden)?;
            state
                .storage
                .process(&id)
                .await?
                .ok_or_else(|| ApiError::not_found("Percorso", "Process"))?;
            let validator_name = required_text("validator_name", &body.validator_name, MAX_NAME)?;
            let validator_role = required_text("validator_role", &body.validator_role, MAX_NAME)?;
            let note = tavoli_core::clean(&body.note);
            if note.chars().count() > MAX_NOTE {
                return Err(ApiError::refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("note: al massimo {MAX_NOTE} caratteri."),
                    format!("note: at most {MAX_NOTE} characters."),
                ));
            }
            let new = NewValidation {
                process_id: id.clone(),
                validator_name: tavoli_core::clean(&validator_name),
                validator_role: tavoli_core::clean(&validator_role),
                note,
                recorded_by: Some(user.id),
            };
            match state.storage.record_validation(&new, now_ms()).await {
                Ok(record) => Ok((StatusCode::CREATED, axum::Json(record)).into_response()),
                Err(StorageError::Conflict(_)) => Err(ApiError::refused(
                    StatusCode::CONFLICT,
                    "validation_conflict",
                    "Un'altra validazione è stata registrata nello stesso momento: riprova.",
                    "Another validation was recorded at the same moment: try again.",
                )),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(
            file_name("Piano di Zona 2025-2027 – Ambito di Città", "pdf"),
            "piano-di-zona-2025-2027-ambito-di-citta.pdf"
        );
        assert_eq!(file_name("“🦄”", "csv"), "docpp.csv");
    }
}
