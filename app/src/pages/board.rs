//! `/tavolo/{id}`: the live board. Participants get the phone view, staff the facilitator's.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use tavoli_core::Role;

use crate::{
    api::{Access, RoundtableView, load_roundtable},
    i18n::{tr, use_lang},
    live::Live,
    pages::participant::ParticipantBoard,
};

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let view_data = Resource::new(id, load_roundtable);
    view! {
        <Suspense fallback=loading>
            {move || view_data.get().map(|result| match result {
                Ok(Access::Granted(view)) => view! { <LiveBoard view /> }.into_any(),
                Ok(Access::SignInNeeded) => view! { <SignInNeeded /> }.into_any(),
                Ok(Access::NotFound) => view! { <crate::pages::not_found::NotFound /> }.into_any(),
                Err(_) => view! { <LoadFailed /> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn LiveBoard(view: RoundtableView) -> impl IntoView {
    let live = Live::new(view.id.clone(), view.board.clone());
    provide_context(live);
    provide_context(view.me.clone());
    let title = view.title.clone();
    if view.me.role == Role::Participant {
        view! { <Title text=title /><ParticipantBoard view /> }.into_any()
    } else {
        staff_board(title, view)
    }
}

#[cfg(feature = "staff")]
fn staff_board(title: String, view: RoundtableView) -> AnyView {
    use crate::pages::facilitator::FacilitatorBoard;
    view! { <Title text=title /><FacilitatorBoard view /> }.into_any()
}

/// The participants' bundle has no facilitator board (pages/staff_only.rs).
#[cfg(not(feature = "staff"))]
fn staff_board(_title: String, _view: RoundtableView) -> AnyView {
    use crate::pages::staff_only::StaffOnly;
    view! { <StaffOnly /> }.into_any()
}

pub fn loading() -> impl IntoView {
    let lang = use_lang();
    view! { <p>{tr(lang.get_untracked(), "Caricamento…", "Loading…")}</p> }
}

#[component]
pub fn SignInNeeded() -> impl IntoView {
    let lang = use_lang();
    view! {
        <h1>{tr(lang.get_untracked(), "Accesso richiesto", "Sign-in required")}</h1>
        <p>{tr(lang.get_untracked(), "Per vedere questo tavolo partecipa con il codice mostrato dal facilitatore, oppure accedi come personale.", "To see this roundtable, join with the code the facilitator shows, or sign in as staff.")}</p>
        <p class="actions">
            <a class="btn btn-primary" href="/t">{tr(lang.get_untracked(), "Partecipa con un codice", "Join with a code")}</a>
            <a class="btn" href="/accedi">{tr(lang.get_untracked(), "Accesso personale", "Staff sign-in")}</a>
        </p>
    }.into_any()
}

#[component]
pub fn LoadFailed() -> impl IntoView {
    let lang = use_lang();
    view! {
        <p role="alert">{tr(lang.get_untracked(), "Non è stato possibile caricare la pagina: riprova tra poco.", "The page could not be loaded: try again shortly.")}</p>
    }.into_any()
}
