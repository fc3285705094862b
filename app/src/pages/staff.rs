//! Staff pages: sign-in (`/accedi`) and the planning office (`/ufficio`), where processes and
//! roundtables are created. They call the JSON API from the browser, so pages and scripts go
//! through the same checks.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{Access, OfficeView, ProcessSummary, load_office},
    i18n::{tr, use_lang},
    pages::board::{LoadFailed, loading},
};

/// POSTs JSON to the API; answers the error message (already in the user's language).
#[cfg(feature = "hydrate")]
pub async fn post_json(url: &str, body: serde_json::Value) -> Result<serde_json::Value, String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let fail = |_| "Errore di rete: riprova. / Network error: try again.".to_string();
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    init.set_body(&JsValue::from_str(&body.to_string()));
    let headers = web_sys::Headers::new().map_err(fail)?;
    headers
        .set("Content-Type", "application/json")
        .map_err(fail)?;
    let lang = crate::i18n::code(crate::i18n::request_lang());
    headers.set("Accept-Language", lang).map_err(fail)?;
    init.set_headers(&headers);
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(fail)?
        .dyn_into()
        .map_err(fail)?;
    let text = JsFuture::from(response.text().map_err(fail)?)
        .await
        .map_err(fail)?;
    let value: serde_json::Value =
        serde_json::from_str(&text.as_string().unwrap_or_default()).unwrap_or_default();
    if response.ok() {
        Ok(value)
    } else {
        Err(value["error"]["message"]
            .as_str()
            .unwrap_or("Errore / Error")
            .to_string())
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let body = serde_json::json!({"email": email.get_untracked(), "password": password.get_untracked()});
            leptos::task::spawn_local(async move {
                match post_json("/api/login", body).await {
                    Ok(_) => {
                        if let Some(window) = web_sys::window() {
                            let _ = window.location().set_href("/ufficio");
                        }
                    }
                    Err(message) => error.set(Some(message)),
                }
            });
        }
    };
    view! {
        <Title text=tr(lang.get_untracked(), "Accesso personale", "Staff sign-in").to_string() />
        <h1>{tr(lang.get_untracked(), "Accesso per facilitatori e Ufficio di Piano", "Sign-in for facilitators and planning office")}</h1>
        {move || error.get().map(|message| view! { <p class="alert" role="alert" data-testid="signin-error">{message}</p> })}
        <form class="stack" method="post" action="/accedi" on:submit=on_submit>
            <label for="email">"Email"</label>
            <input id="email" type="email" autocomplete="username" required bind:value=email />
            <label for="password">"Password"</label>
            <input id="password" type="password" autocomplete="current-password" required bind:value=password />
            <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Accedi", "Sign in")}</button>
        </form>
    }.into_any()
}

#[component]
pub fn OfficePage() -> impl IntoView {
    let lang = use_lang();
    let office = Resource::new(|| (), |_| load_office());
    view! {
        <Title text=tr(lang.get_untracked(), "Ufficio di Piano", "Planning office").to_string() />
        <Suspense fallback=loading>
            {move || office.get().map(|result| match result {
                Ok(Access::Granted(view)) => view! { <Office view refetch=move || office.refetch() /> }.into_any(),
                Ok(_) => view! {
                    <h1>{tr(lang.get_untracked(), "Accesso richiesto", "Sign-in required")}</h1>
                    <p><a class="btn btn-primary" href="/accedi">{tr(lang.get_untracked(), "Accedi", "Sign in")}</a></p>
                }.into_any(),
                Err(_) => view! { <LoadFailed /> }.into_any(),
            })}
        </Suspense>
    }.into_any()
}

#[component]
fn Office(view: OfficeView, refetch: impl Fn() + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let kind = RwSignal::new("co_programmazione".to_string());
    let error = RwSignal::new(None::<String>);
    let planning = view.staff.planning_office;
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let body = serde_json::json!({"title": title.get_untracked(), "owner": owner.get_untracked(), "kind": kind.get_untracked()});
            leptos::task::spawn_local(async move {
                match post_json("/api/processes", body).await {
                    Ok(_) => {
                        error.set(None);
                        title.set(String::new());
                        refetch();
                    }
                    Err(message) => error.set(Some(message)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = refetch;
    };
    view! {
        <h1>{tr(lang.get_untracked(), "Ufficio di Piano", "Planning office")}</h1>
        <p class="muted">{tr(lang.get_untracked(), "Accesso come ", "Signed in as ")}{view.staff.name.clone()}</p>
        <ul class="process-list">
            {view.processes.into_iter().map(|process| view! { <ProcessBlock process planning refetch /> }).collect_view()}
        </ul>
        {planning.then(|| view! {
            <section class="card" aria-labelledby="nuovo-percorso">
                <h2 id="nuovo-percorso">{tr(lang.get_untracked(), "Nuovo percorso", "New process")}</h2>
                {move || error.get().map(|message| view! { <p class="alert" role="alert">{message}</p> })}
                <form class="stack" on:submit=on_submit>
                    <label for="percorso-titolo">{tr(lang.get_untracked(), "Titolo", "Title")}</label>
                    <input id="percorso-titolo" type="text" required maxlength="200" bind:value=title />
                    <label for="percorso-ente">{tr(lang.get_untracked(), "Ente titolare", "Owner")}</label>
                    <input id="percorso-ente" type="text" required maxlength="200" bind:value=owner />
                    <label for="percorso-tipo">{tr(lang.get_untracked(), "Tipo di percorso", "Kind of process")}</label>
                    <select id="percorso-tipo" on:change=move |event| kind.set(event_target_value(&event))>
                        <option value="co_programmazione">"Co-programmazione"</option>
                        <option value="co_progettazione">"Co-progettazione"</option>
                        <option value="processo_partecipativo">{tr(lang.get_untracked(), "Processo partecipativo", "Participatory process")}</option>
                    </select>
                    <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Crea il percorso", "Create the process")}</button>
                </form>
            </section>
        })}
    }.into_any()
}

#[component]
fn ProcessBlock(
    process: ProcessSummary,
    planning: bool,
    refetch: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let process_id = StoredValue::new(process.id.clone());
    let input_id = format!("tavolo-{}", process.id);
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            let url = format!("/api/processes/{}/roundtables", process_id.get_value());
            let body = serde_json::json!({"title": title.get_untracked()});
            leptos::task::spawn_local(async move {
                match post_json(&url, body).await {
                    Ok(_) => {
                        error.set(None);
                        title.set(String::new());
                        refetch();
                    }
                    Err(message) => error.set(Some(message)),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (refetch, process_id);
    };
    view! {
        <li class="card process">
            <h2>{process.title.clone()}</h2>
            <p class="muted">{process.owner.clone()}</p>
            <ul class="roundtable-list">
                {process.roundtables.into_iter().map(|roundtable| view! {
                    <li>
                        <span class="roundtable-title">{roundtable.title.clone()}</span>
                        <span class="code">{roundtable.join_code.clone()}</span>
                        <span class="actions">
                            <a class="btn btn-small" href=format!("/tavolo/{}", roundtable.id)>{tr(lang.get_untracked(), "Conduci", "Facilitate")}</a>
                            <a class="btn btn-small" href=format!("/proiezione/{}", roundtable.id)>{tr(lang.get_untracked(), "Proiezione", "Projector")}</a>
                        </span>
                    </li>
                }).collect_view()}
            </ul>
            // The synthesis and the deliverable of the process: plain links, the server does the work.
            <p class="actions process-actions">
                <a class="btn btn-small" href=format!("/percorsi/{}/sintesi", process_id.get_value())>
                    {tr(lang.get_untracked(), "Sintesi: temi e schede", "Synthesis: themes and sheets")}
                </a>
                <a class="btn btn-small" href=format!("/api/processes/{}/docpp.pdf", process_id.get_value()) download>
                    {tr(lang.get_untracked(), "Scarica il Documento (PDF)", "Download the document (PDF)")}
                </a>
                <a class="btn btn-small" href=format!("/api/processes/{}/export.csv", process_id.get_value()) download>
                    {tr(lang.get_untracked(), "Dati aperti (CSV)", "Open data (CSV)")}
                </a>
                <a class="btn btn-small" href=format!("/api/processes/{}/export.json", process_id.get_value()) download>
                    {tr(lang.get_untracked(), "Dati aperti (JSON)", "Open data (JSON)")}
                </a>
            </p>
            {planning.then(|| view! {
                {move || error.get().map(|message| view! { <p class="alert" role="alert">{message}</p> })}
                <form class="inline-form" on:submit=on_submit>
                    <label for=input_id.clone()>{tr(lang.get_untracked(), "Nuovo tavolo tematico", "New thematic roundtable")}</label>
                    <input id=input_id.clone() type="text" required maxlength="200" bind:value=title />
                    <button type="submit" class="btn btn-small">{tr(lang.get_untracked(), "Crea", "Create")}</button>
                </form>
            })}
        </li>
    }.into_any()
}
