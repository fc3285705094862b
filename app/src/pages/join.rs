//! Joining a roundtable: by code at `/t`, by link or QR at `/t/{code}`. The form is a plain
//! HTML form post (`/forms/join`), so it works before the WebAssembly loads, on any phone.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use tavoli_core::{Lang, OrganisationKind};

use crate::{
    api::{Access, JoinInfo, load_join_info},
    i18n::{tr, use_lang},
    pages::board::{LoadFailed, loading},
};

/// `/t`, or `/t?codice=ANZ425` once a code was typed (a GET form, so no script is needed).
#[component]
pub fn JoinByCodePage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let code = move || {
        query
            .read()
            .get("codice")
            .map(|code| code.trim().to_uppercase())
            .filter(|code| !code.is_empty())
    };
    view! {
        <Title text=tr(lang.get_untracked(), "Partecipa", "Join").to_string() />
        {move || match code() {
            Some(code) => view! { <JoinForm code /> }.into_any(),
            None => view! {
                <h1>{tr(lang.get_untracked(), "Partecipa a un tavolo", "Join a roundtable")}</h1>
                <CodeForm />
            }.into_any(),
        }}
    }
    .into_any()
}

/// `/t/{code}`: the link and the QR code lead here.
#[component]
pub fn JoinPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || {
        params
            .read()
            .get("code")
            .unwrap_or_default()
            .trim()
            .to_uppercase()
    };
    view! {
        <Title text=tr(lang.get_untracked(), "Partecipa", "Join").to_string() />
        {move || view! { <JoinForm code=code() /> }}
    }
    .into_any()
}

#[component]
fn CodeForm() -> impl IntoView {
    let lang = use_lang();
    view! {
        <form class="stack" method="get" action="/t">
            <label for="codice">{tr(lang.get_untracked(), "Codice del tavolo", "Roundtable code")}</label>
            <input id="codice" name="codice" type="text" autocomplete="off" required maxlength="12"
                autocapitalize="characters" />
            <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Continua", "Continue")}</button>
        </form>
    }.into_any()
}

#[component]
fn JoinForm(code: String) -> impl IntoView {
    let lang = use_lang();
    let info = Resource::new(move || code.clone(), load_join_info);
    view! {
        <Suspense fallback=loading>
            {move || info.get().map(|result| match result {
                Ok(Access::Granted(info)) => view! { <JoinFields info /> }.into_any(),
                Ok(_) => view! {
                    <h1>{tr(lang.get_untracked(), "Partecipa a un tavolo", "Join a roundtable")}</h1>
                    <p class="alert" role="alert">{tr(lang.get_untracked(), "Nessun tavolo con questo codice: controlla il codice mostrato dal facilitatore.", "No roundtable has this code: check the code the facilitator shows.")}</p>
                    <CodeForm />
                }.into_any(),
                Err(_) => view! { <LoadFailed /> }.into_any(),
            })}
        </Suspense>
    }.into_any()
}

/// The message for an error code the form handler sent back.
fn error_message(lang: Lang, code: &str) -> &'static str {
    match code {
        "consent_required" => tr(
            lang,
            "Per partecipare occorre accettare l'informativa sulla privacy.",
            "To take part you need to accept the privacy notice.",
        ),
        "name" => tr(
            lang,
            "Scrivi il tuo nome (al massimo 80 caratteri).",
            "Write your name (at most 80 characters).",
        ),
        "organisation" => tr(
            lang,
            "Scegli il tuo ente o scrivine il nome (al massimo 120 caratteri).",
            "Pick your organisation or write its name (at most 120 characters).",
        ),
        "organisation_kind" => tr(
            lang,
            "Scegli il tipo di ente.",
            "Pick the kind of organisation.",
        ),
        "unknown_join_code" => tr(
            lang,
            "Nessun tavolo con questo codice.",
            "No roundtable has this code.",
        ),
        _ => tr(
            lang,
            "Non è stato possibile partecipare: controlla i campi e riprova.",
            "Could not join: check the fields and try again.",
        ),
    }
}

fn kind_label(lang: Lang, kind: OrganisationKind) -> &'static str {
    match lang {
        Lang::It => kind.label_it(),
        Lang::En => kind.label_en(),
    }
}

#[component]
fn JoinFields(info: JoinInfo) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let error = move || query.read().get("errore");
    let has_organisations = !info.organisations.is_empty();
    let board = format!("/tavolo/{}", info.roundtable_id);
    view! {
        <p class="muted process-title">{info.process_title.clone()}</p>
        <h1>{tr(lang.get_untracked(), "Partecipa: ", "Join: ")}{info.title.clone()}</h1>
        {info.resume_as.clone().map(|name| view! {
            <div class="card resume">
                <p>{tr(lang.get_untracked(), "Su questo dispositivo partecipi già come ", "On this device you already take part as ")}<strong>{name.clone()}</strong>"."</p>
                <a class="btn btn-primary" href=board.clone() data-testid="resume">{tr(lang.get_untracked(), "Torna al tavolo", "Back to the roundtable")}</a>
            </div>
        })}
        {move || error().map(|code| view! { <p class="alert" role="alert" data-testid="join-error">{move || error_message(lang.get(), &code)}</p> })}
        <form class="stack join-form" method="post" action="/forms/join" data-testid="join-form">
            <input type="hidden" name="join_code" value=info.join_code.clone() />
            <label for="nome">{tr(lang.get_untracked(), "Nome e cognome", "Full name")}</label>
            <input id="nome" name="name" type="text" autocomplete="name" required maxlength="80" />
            {has_organisations.then(|| view! {
                <label for="ente-scelto">{tr(lang.get_untracked(), "Il tuo ente", "Your organisation")}</label>
                <select id="ente-scelto" name="organisation_choice">
                    <option value="">{tr(lang.get_untracked(), "Un altro ente (scrivilo qui sotto)", "Another organisation (write it below)")}</option>
                    {info.organisations.iter().map(|organisation| view! {
                        <option value=organisation.name.clone()>{organisation.name.clone()}</option>
                    }).collect_view()}
                </select>
            })}
            <fieldset class="stack new-organisation">
                <legend>{move || if has_organisations { tr(lang.get(), "Oppure un nuovo ente", "Or a new organisation") } else { tr(lang.get(), "Il tuo ente", "Your organisation") }}</legend>
                <label for="ente">{tr(lang.get_untracked(), "Nome dell'ente (o «cittadino»)", "Name of the organisation (or \"citizen\")")}</label>
                <input id="ente" name="organisation" type="text" maxlength="120" autocomplete="organization" />
                <label for="tipo-ente">{tr(lang.get_untracked(), "Tipo di ente", "Kind of organisation")}</label>
                <select id="tipo-ente" name="organisation_kind">
                    {OrganisationKind::all().iter().map(|&kind| {
                        let value = serde_json::to_value(kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        view! { <option value=value>{move || kind_label(lang.get(), kind)}</option> }
                    }).collect_view()}
                </select>
            </fieldset>
            <details class="privacy">
                <summary>{tr(lang.get_untracked(), "Informativa sulla privacy", "Privacy notice")}</summary>
                <p>{tr(lang.get_untracked(),
                    "L'ente titolare del percorso tratta il tuo nome e il tuo ente solo per registrare la partecipazione al tavolo e attribuire i contributi. Nei documenti pubblici compare l'ente, non il tuo nome. Puoi chiedere in ogni momento di vedere o cancellare i tuoi dati.",
                    "The body running this process uses your name and organisation only to record your attendance and attribute contributions. Public documents show the organisation, not your name. You may ask at any time to see or erase your data.")}</p>
            </details>
            <span class="check">
                <input id="consenso" name="consent" type="checkbox" value="true" required />
                <label for="consenso">{tr(lang.get_untracked(), "Ho letto l'informativa e accetto", "I have read the notice and accept it")}</label>
            </span>
            <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Entra nel tavolo", "Join the roundtable")}</button>
        </form>
    }.into_any()
}
