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
#[cfg(not(feature = "staff"))]
use crate::pages::staff_only::{
    StaffOnly as ProjectorPage, StaffOnly as OfficePage, StaffOnly as SignInPage,
    StaffOnly as SynthesisPage, StaffOnly as SheetPage,
};
#[cfg(feature = "staff")]
use crate::pages::{
    projector::ProjectorPage,
    staff::{OfficePage, SignInPage},
    synthesis::SynthesisPage,
    synthesis_sheet::SheetPage,
};

/// The browser bundles (scripts/build-site.sh): everything, and the participants' own, without
/// the staff's pages (about 45 % lighter).
pub const FULL_BUNDLE: &str = "tavoli";
pub const PARTICIPANT_BUNDLE: &str = "tavoli_participant";

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
                <HydrationScript options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Loads the WebAssembly and hydrates the page, once the page has been painted.
///
/// Every page is complete HTML (the forms are plain form posts), so the bundle only adds live
/// updates. Leptos' `HydrationScripts` preloads it from the `<head>`: its 700 KB then race the
/// stylesheet, and when they arrive before the first paint (often on the fast local link
/// Lighthouse loads through), the first and largest paint is simulated as waiting for them (LCP
/// 3.6-4.4 s instead of 1.0 s on the mobile preset, see docs/BENCHMARKS.md). Here nothing is
/// preloaded, and the bundle is fetched after the first paint: when the browser reports it, or
/// after the first frame where paint timing is not supported.
#[component]
fn HydrationScript(options: LeptosOptions) -> impl IntoView {
    const SCRIPT: &str = r#"let started = false;
const hydrate = () => {
  if (started) return;
  started = true;
  import(JS_URL).then((bundle) => bundle.default({ module_or_path: WASM_URL }).then(() => bundle.hydrate()));
};
if (PerformanceObserver.supportedEntryTypes?.includes("paint")) {
  new PerformanceObserver(hydrate).observe({ type: "paint", buffered: true });
} else {
  requestAnimationFrame(() => setTimeout(hydrate, 0));
}"#;
    let pkg = format!("/{}/{}", options.site_pkg_dir, bundle_for_request());
    let quoted = |url: String| serde_json::to_string(&url).unwrap_or_default();
    let script = SCRIPT
        .replace("JS_URL", &quoted(format!("{pkg}.js")))
        .replace("WASM_URL", &quoted(format!("{pkg}_bg.wasm")));
    view! { <script type="module" nonce=leptos::nonce::use_nonce()>{script}</script> }
}

/// Which bundle hydrates this page: the participants' one on the pages a participant sees (home,
/// join, board) when no staff session comes with the request; the full one everywhere else. The
/// full bundle can hydrate every page, so a doubtful case gets it.
#[cfg(feature = "ssr")]
fn bundle_for_request() -> &'static str {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return FULL_BUNDLE;
    };
    let path = parts.uri.path();
    let participant_page =
        path == "/" || path == "/t" || path.starts_with("/t/") || path.starts_with("/tavolo/");
    let staff_session = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim_start().split_once('='))
        .any(|(name, _)| name == tavoli_core::protocol::STAFF_SESSION_COOKIE);
    if participant_page && !staff_session {
        PARTICIPANT_BUNDLE
    } else {
        FULL_BUNDLE
    }
}

#[cfg(not(feature = "ssr"))]
fn bundle_for_request() -> &'static str {
    FULL_BUNDLE
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
                    <Route ssr=SsrMode::Async path=path!("proiezione/:id") view=ProjectorPage />
                    <Route path=path!("accedi") view=SignInPage />
                    <Route ssr=SsrMode::Async path=path!("ufficio") view=OfficePage />
                    <Route path=path!("percorsi/:id/sintesi") view=SynthesisPage />
                    <Route path=path!("percorsi/:id/sintesi/schede/:sheet_id") view=SheetPage />
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
    // Says which bundle hydrated the page (browser tests wait for it).
    let bundle = if cfg!(feature = "staff") {
        FULL_BUNDLE
    } else {
        PARTICIPANT_BUNDLE
    };
    if let Some(root) = leptos::prelude::document().document_element() {
        let _ = root.set_attribute("data-hydrated", bundle);
    }
}
