//! The home page: what Tavoli is, and the processes with their roundtables.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    api::{ProcessSummary, list_processes},
    i18n::{tr, use_lang},
};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let processes = Resource::new(|| (), |_| list_processes());
    view! {
        <Title text="" />
        <section class="hero">
            <h1>{tr(lang.get_untracked(), "Tavoli tematici in tempo reale", "Live thematic roundtables")}</h1>
            <p class="lead">
                {tr(lang.get_untracked(),
                    "Bisogni, risorse e proposte raccolti dal telefono di ogni partecipante, votati insieme e pronti nel Documento di proposta partecipata lo stesso giorno.",
                    "Needs, resources and proposals gathered from every participant's phone, voted together and ready in the participatory proposal document the same day.",
                )}
            </p>
            <a class="btn btn-primary" href="/t">{tr(lang.get_untracked(), "Partecipa con un codice", "Join with a code")}</a>
        </section>
        <section aria-labelledby="processi">
            <h2 id="processi">{tr(lang.get_untracked(), "Percorsi partecipativi", "Participatory processes")}</h2>
            <Suspense fallback=move || view! { <p>{tr(lang.get_untracked(), "Caricamento…", "Loading…")}</p> }>
                {move || processes.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <p>{tr(lang.get_untracked(), "Nessun percorso ancora.", "No process yet.")}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="process-list">
                            {list.into_iter().map(|process| view! { <ProcessItem process /> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(_) => view! {
                        <p role="alert">{tr(lang.get_untracked(), "Non è stato possibile caricare i percorsi.", "The processes could not be loaded.")}</p>
                    }.into_any(),
                })}
            </Suspense>
        </section>
    }.into_any()
}

#[component]
fn ProcessItem(process: ProcessSummary) -> impl IntoView {
    let lang = use_lang();
    view! {
        <li class="card process">
            <h3>{process.title}</h3>
            <p class="muted">{process.owner}</p>
            <ul class="roundtable-list">
                {process.roundtables.into_iter().map(|roundtable| {
                    let href = format!("/t/{}", roundtable.join_code);
                    view! {
                        <li>
                            <span class="roundtable-title">{roundtable.title}</span>
                            " "
                            <a href=href class="code">
                                <span class="visually-hidden">{tr(lang.get_untracked(), "codice ", "code ")}</span>
                                {roundtable.join_code}
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </li>
    }.into_any()
}
