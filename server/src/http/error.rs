//! The one mapping from failures to HTTP answers: `{"error": {"code", "message"}}`, the message
//! in the caller's language. A 500 is a bug: its cause is logged, never sent.

use std::borrow::Cow;

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;
use tavoli_core::Lang;

#[derive(Debug)]
pub enum ApiError {
    /// A fixed, documented refusal: status, code and the two texts.
    Refused {
        status: StatusCode,
        code: Cow<'static, str>,
        it: String,
        en: String,
    },
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn refused(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        it: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError::Refused {
            status,
            code: code.into(),
            it: it.into(),
            en: en.into(),
        }
    }

    pub fn not_found(what_it: &str, what_en: &str) -> Self {
        ApiError::refused(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what_it} non trovato."),
            format!("{what_en} not found."),
        )
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Refused { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ApiError::Refused { code, .. } => code,
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (ApiError::Refused { it, .. }, Lang::It) => it.clone(),
            (ApiError::Refused { en, .. }, Lang::En) => en.clone(),
            (ApiError::Internal(_), Lang::It) => {
                "Errore interno del server: riprova tra poco.".into()
            }
            (ApiError::Internal(_), Lang::En) => {
                "Internal server error: please try again shortly.".into()
            }
        }
    }

    pub fn into_response_in(self, lang: Lang) -> Response {
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let body = json!({"error": {"code": self.code(), "message": self.message(lang)}});
        (self.status(), Json(body)).into_response()
    }
}

impl From<crate::storage::StorageError> for ApiError {
    fn from(error: crate::storage::StorageError) -> Self {
        ApiError::Internal(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_response_in(Lang::It)
    }
}
