//! Joining a roundtable by its code.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::{tr, use_lang};

#[component]
pub fn JoinByCodePage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Title text=move || tr(lang.get(), "Partecipa", "Join").to_string() />
        <h1>{move || tr(lang.get(), "Partecipa a un tavolo", "Join a roundtable")}</h1>
        <form class="stack" method="get" action="/t/vai">
            <label for="codice">{move || tr(lang.get(), "Codice del tavolo", "Roundtable code")}</label>
            <input id="codice" name="codice" type="text" inputmode="text" autocomplete="off" required maxlength="12"
                autocapitalize="characters" />
            <button type="submit" class="btn btn-primary">{move || tr(lang.get(), "Continua", "Continue")}</button>
        </form>
    }
}
