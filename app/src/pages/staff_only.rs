//! What the participants' bundle (built without the `staff` feature) has in place of the
//! staff's pages. The server never serves that bundle on a staff page (`bundle_for_request` in
//! lib.rs), so this is only reached by a client-side navigation, such as a participant following
//! the "Staff sign-in" link: the page is then loaded again from the server, which answers with
//! the full bundle.

use leptos::prelude::*;

use crate::i18n::{tr, use_lang};

#[component]
pub fn StaffOnly() -> impl IntoView {
    let lang = use_lang();
    // The router renders the new route before it updates the address bar, so the address to
    // load is the route's, not the window's.
    #[cfg(feature = "hydrate")]
    {
        let location = leptos_router::hooks::use_location();
        Effect::new(move |_| {
            let path = location.pathname.get_untracked();
            let search = location.search.get_untracked();
            let query = if search.is_empty() || search.starts_with('?') {
                search
            } else {
                format!("?{search}")
            };
            let _ = window().location().assign(&format!("{path}{query}"));
        });
    }
    view! { <p role="status">{tr(lang.get_untracked(), "Caricamento…", "Loading…")}</p> }
}
