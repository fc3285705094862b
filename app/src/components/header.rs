//! The site header: name, and the language switch.

use leptos::prelude::*;

use crate::i18n::{Lang, set_lang, tr, use_lang};

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let other = move || match lang.get() {
        Lang::It => Lang::En,
        Lang::En => Lang::It,
    };
    view! {
        <a class="skip-link" href="#contenuto">{tr(lang.get_untracked(), "Vai al contenuto", "Skip to content")}</a>
        <header class="site-header">
            <div class="container header-row">
                <a class="brand" href="/">"Tavoli"</a>
                <button
                    type="button"
                    class="btn btn-outline lang-switch"
                    data-testid="lang-switch"
                    lang=move || crate::i18n::code(other())
                    on:click=move |_| set_lang(lang, other())
                >
                    {tr(lang.get_untracked(), "English", "Italiano")}
                </button>
            </div>
        </header>
    }.into_any()
}
