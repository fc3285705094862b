//! Plain HTML form posts, so joining and adding a card work before the WebAssembly loads
//! (or without it). They call the same services as the JSON API and answer with a 303
//! redirect, or a short page that says what went wrong and keeps what was typed.

use axum::{
    Router,
    extract::{Form, Path, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::post,
};
use serde::Deserialize;
use tavoli_core::{Command, CommandEnvelope, ContributionKind, Lang};

use super::{
    commands::{command_error, load_roundtable},
    error::ApiError,
    join::{JoinBody, MAX_NAME, MAX_ORGANISATION, join_roundtable},
    session::{self, Credentials, cookie_header, participant_cookie},
};
use crate::{live::writer::Submission, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/forms/join", post(join))
        .route("/forms/tavolo/{id}/contributi", post(add_card))
}

/// A participant cookie lasts as long as a process could: a year (as `POST /api/join`).
const PARTICIPANT_COOKIE_SECONDS: i64 = 365 * 24 * 3600;

/// The page language: the `tavoli_lang` cookie the pages set, else `Accept-Language`.
fn page_lang(headers: &HeaderMap) -> Lang {
    for value in headers.get_all(header::COOKIE) {
        if let Some(lang) = value
            .to_str()
            .ok()
            .and_then(tavoli_app::i18n::lang_from_cookies)
        {
            return lang;
        }
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_string())],
    )
        .into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JoinForm {
    join_code: String,
    name: String,
    /// An organisation already in the process, picked from the list (empty: a new one).
    organisation_choice: String,
    organisation: String,
    organisation_kind: String,
    consent: String,
}

async fn join(
    State(state): State<AppState>,
    form: Result<Form<JoinForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return see_other("/t?errore=form");
    };
    // Only letters and digits go back into the address.
    let code: String = form
        .join_code
        .trim()
        .to_uppercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    let back = |error: &str| see_other(&format!("/t/{code}?errore={error}"));
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return back("name");
    }
    let mut organisation = form.organisation.trim().to_string();
    let mut organisation_kind = form.organisation_kind.trim().to_string();
    if !form.organisation_choice.trim().is_empty() {
        let roundtable = match state.storage.roundtable_by_code(&code).await {
            Ok(Some(roundtable)) => roundtable,
            Ok(None) => return back("unknown_join_code"),
            Err(error) => return internal(error.into()),
        };
        let known = match state.storage.organisations_of(&roundtable.process_id).await {
            Ok(list) => list,
            Err(error) => return internal(error.into()),
        };
        let wanted = form.organisation_choice.trim().to_lowercase();
        match known
            .into_iter()
            .find(|known| known.name.trim().to_lowercase() == wanted)
        {
            Some(known) => {
                organisation = known.name;
                organisation_kind = known.kind;
            }
            None => return back("organisation"),
        }
    }
    if organisation.is_empty() || organisation.chars().count() > MAX_ORGANISATION {
        return back("organisation");
    }
    let body = JoinBody {
        join_code: code.clone(),
        name: name.to_string(),
        organisation,
        organisation_kind,
        consent: matches!(form.consent.as_str(), "true" | "on" | "1"),
    };
    match join_roundtable(&state, &body).await {
        Ok(joined) => {
            let cookie = cookie_header(
                &participant_cookie(&joined.roundtable_id),
                &joined.token,
                PARTICIPANT_COOKIE_SECONDS,
            );
            (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, cookie),
                    (
                        header::LOCATION,
                        format!("/tavolo/{}", joined.roundtable_id),
                    ),
                ],
            )
                .into_response()
        }
        Err(ApiError::Internal(error)) => internal(error),
        Err(error) => {
            let code_for_page = match error.code() {
                "invalid_field" => "organisation_kind",
                other => other,
            };
            back(code_for_page)
        }
    }
}

fn internal(error: anyhow::Error) -> Response {
    ApiError::Internal(error).into_response_in(Lang::It)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CardForm {
    kind: String,
    text: String,
    on_behalf_of: String,
}

async fn add_card(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    form: Result<Form<CardForm>, FormRejection>,
) -> Response {
    let lang = page_lang(&headers);
    let form = form.map(|Form(form)| form).unwrap_or_default();
    let result = async {
        let roundtable = load_roundtable(&state, &id).await?;
        let actor =
            session::actor_for(&state, &Credentials::from_headers(&headers), &roundtable).await?;
        let kind = match form.kind.as_str() {
            "need" => ContributionKind::Need,
            "resource" => ContributionKind::Resource,
            "proposal" => ContributionKind::Proposal,
            _ => {
                return Err(ApiError::refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    "Scegli se è un bisogno, una risorsa o una proposta.",
                    "Choose whether it is a need, a resource or a proposal.",
                ));
            }
        };
        let on_behalf_of =
            Some(form.on_behalf_of.trim().to_string()).filter(|name| !name.is_empty());
        let submission = Submission {
            roundtable_id: roundtable.id.clone(),
            anonymous: roundtable.anonymous,
            actor,
            envelope: CommandEnvelope {
                command_id: uuid::Uuid::new_v4(),
                command: Command::AddContribution {
                    kind,
                    text: form.text.clone(),
                    on_behalf_of,
                },
            },
            new_participant: None,
        };
        state
            .live
            .writer
            .submit(submission)
            .await
            .map_err(|error| command_error(&error))?;
        Ok(roundtable.id)
    }
    .await;
    match result {
        Ok(roundtable_id) => see_other(&format!("/tavolo/{roundtable_id}")),
        Err(ApiError::Internal(error)) => internal(error),
        Err(error) => refused_page(lang, &id, &error, &form.text),
    }
}

/// A short page for a refused card: why, the text as typed (to copy or send again), a way back.
fn refused_page(lang: Lang, roundtable_id: &str, error: &ApiError, text: &str) -> Response {
    let (title, kept, back) = match lang {
        Lang::It => (
            "Contributo non inviato",
            "Il testo che avevi scritto:",
            "Torna al tavolo",
        ),
        Lang::En => (
            "Contribution not sent",
            "The text you wrote:",
            "Back to the roundtable",
        ),
    };
    let html = format!(
        r#"<!DOCTYPE html><html lang="{code}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Tavoli</title><link rel="stylesheet" href="/pkg/tavoli.css"></head><body><main class="container" id="contenuto"><h1>{title}</h1><p class="alert" role="alert">{message}</p><label for="testo">{kept}</label><textarea id="testo" readonly>{text}</textarea><p><a class="btn btn-primary" href="/tavolo/{roundtable}">{back}</a></p></main></body></html>"#,
        code = tavoli_app::i18n::code(lang),
        message = escape(&error.message(lang)),
        text = escape(text),
        roundtable = escape(roundtable_id),
    );
    (error.status(), Html(html)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
