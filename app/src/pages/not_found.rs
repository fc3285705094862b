//! The page for an unknown address.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{tr, use_lang};

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = use_lang();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=tr(lang.get_untracked(), "Pagina non trovata", "Page not found").to_string() />
        <h1>{tr(lang.get_untracked(), "Pagina non trovata", "Page not found")}</h1>
        <p><a href="/">{tr(lang.get_untracked(), "Torna alla pagina iniziale", "Back to the home page")}</a></p>
    }.into_any()
}
