//! Extractors that answer bad input in Tavoli's error shape and the caller's language.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use tavoli_core::Lang;

use super::error::ApiError;

/// The caller's language, from `Accept-Language` (Italian by default).
#[derive(Debug, Clone, Copy)]
pub struct ReqLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for ReqLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ReqLang(lang_of(parts)))
    }
}

pub fn lang_of(parts: &Parts) -> Lang {
    parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// A JSON body; malformed JSON, a wrong content type or a wrong field get a 400/415/422 in
/// our shape (axum's own rejection is plain text).
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let lang = {
            let (parts, _) = request_parts_lang(&request);
            parts
        };
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Json(value)),
            Err(rejection) => {
                use axum::extract::rejection::JsonRejection::*;
                let error = match &rejection {
                    MissingJsonContentType(_) => ApiError::refused(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported_media_type",
                        "Il corpo della richiesta deve essere JSON (Content-Type: application/json).",
                        "The request body must be JSON (Content-Type: application/json).",
                    ),
                    JsonDataError(e) => ApiError::refused(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "invalid_field",
                        format!("Campo non valido: {}", e.body_text()),
                        format!("Invalid field: {}", e.body_text()),
                    ),
                    BytesRejection(_) => ApiError::refused(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "body_too_large",
                        "La richiesta è troppo grande.",
                        "The request is too large.",
                    ),
                    _ => ApiError::refused(
                        StatusCode::BAD_REQUEST,
                        "malformed_json",
                        "Il corpo della richiesta non è JSON valido.",
                        "The request body is not valid JSON.",
                    ),
                };
                Err(error.into_response_in(lang))
            }
        }
    }
}

fn request_parts_lang(request: &Request) -> (Lang, ()) {
    let lang = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    (lang, ())
}

/// A handler result answered in the caller's language.
pub struct Answer(pub Lang, pub Result<Response, ApiError>);

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self.1 {
            Ok(response) => response,
            Err(error) => error.into_response_in(self.0),
        }
    }
}
