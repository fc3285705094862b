//! Tavoli's pages and components, rendered on the server and hydrated in the browser.
//!
//! Components render state and send commands; they never decide what is allowed (that is
//! `tavoli_core`). Server-only code sits behind `#[cfg(feature = "ssr")]`.

#![recursion_limit = "512"]

pub mod api;
pub mod api_synthesis;
pub mod components;
pub mod i18n;
pub mod live;
pub mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

use crate::i18n::{provide_lang, tr};

/// The HTML document around every page. Rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = i18n::request_lang();
    view! {
        <!DOCTYPE html>
        <html lang=i18n::code(lang)>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Tavoli: tavoli tematici partecipati in tempo reale" />
                <meta name="theme-color" content="#0066cc" />
                <link rel="icon" href="data:," />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: routes and the shared frame (header, language switch, footer).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = provide_lang();
    view! {
        <Stylesheet id="tavoli" href="/pkg/tavoli.css" />
        <Title formatter=|text: String| if text.is_empty() { "Tavoli".to_string() } else { format!("{text} · Tavoli") } />
        // Pages with data render whole (SsrMode::Async): the join and add-card forms, and the
        // board itself, must be complete HTML for a phone whose WebAssembly has not loaded.
        <Router>
            <components::header::Header />
            <main id="contenuto" class="container">
                <Routes fallback=move || view! { <pages::not_found::NotFound /> }>
                    <Route path=path!("") view=pages::home::HomePage />
                    <Route ssr=SsrMode::Async path=path!("t") view=pages::join::JoinByCodePage />
                    <Route ssr=SsrMode::Async path=path!("t/:code") view=pages::join::JoinPage />
                    <Route ssr=SsrMode::Async path=path!("tavolo/:id") view=pages::board::BoardPage />
                    <Route ssr=SsrMode::Async path=path!("proiezione/:id") view=pages::projector::ProjectorPage />
                    <Route path=path!("accedi") view=pages::staff::SignInPage />
                    <Route ssr=SsrMode::Async path=path!("ufficio") view=pages::staff::OfficePage />
                    <Route path=path!("percorsi/:id/sintesi") view=pages::synthesis::SynthesisPage />
                    <Route path=path!("percorsi/:id/sintesi/schede/:sheet_id") view=pages::synthesis_sheet::SheetPage />
                </Routes>
            </main>
            <footer class="site-footer">
                <p>
                    {tr(lang.get_untracked(), "Tavoli · software libero per la co-programmazione", "Tavoli · free software for co-programming")}
                </p>
            </footer>
        </Router>
    }
}

/// Entry point of the browser bundle: attaches to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
