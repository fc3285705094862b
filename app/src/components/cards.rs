//! Cards: the add-card form (a plain form post before the WebAssembly runs), the list of the
//! user's cards still on their way, and small helpers to label and sort cards.

use leptos::prelude::*;
use tavoli_core::{Board, Command, Contribution, ContributionKind, Lang, MAX_CONTRIBUTION_CHARS};

use crate::{
    i18n::{tr, use_lang},
    live::use_live,
};

pub fn kind_label(lang: Lang, kind: ContributionKind) -> &'static str {
    match lang {
        Lang::It => kind.label_it(),
        Lang::En => kind.label_en(),
    }
}

/// Column headings: bisogni, risorse, proposte.
pub fn kind_plural(lang: Lang, kind: ContributionKind) -> &'static str {
    match kind {
        ContributionKind::Need => tr(lang, "Bisogni", "Needs"),
        ContributionKind::Resource => tr(lang, "Risorse", "Resources"),
        ContributionKind::Proposal => tr(lang, "Proposte", "Proposals"),
    }
}

pub fn kind_class(kind: ContributionKind) -> &'static str {
    match kind {
        ContributionKind::Need => "need",
        ContributionKind::Resource => "resource",
        ContributionKind::Proposal => "proposal",
    }
}

/// Ids of the live cards of one kind, oldest first; hidden ones only if asked.
pub fn column_ids(board: &Board, kind: ContributionKind, with_hidden: bool) -> Vec<String> {
    board
        .live_contributions()
        .filter(|card| card.kind == kind && (with_hidden || !card.hidden))
        .map(|card| card.contribution_id.clone())
        .collect()
}

/// The organisation a card comes from, as the log knows it (never a person's name).
pub fn card_origin(board: &Board, card: &Contribution) -> Option<String> {
    let author = card.author.as_deref()?;
    board
        .participant(author)
        .map(|participant| participant.organisation.clone())
}

/// The add-card form. Before the WebAssembly runs it posts to the server, which stores the
/// card and redirects back; once it runs, cards go through the live outbox instead.
#[component]
pub fn AddCardForm(#[prop(optional)] on_behalf: bool) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let roundtable_id = live.roundtable_id();
    let kind = RwSignal::new(ContributionKind::Need);
    let text = RwSignal::new(String::new());
    let behalf = RwSignal::new(String::new());
    let sent = RwSignal::new(0u32);
    let prefix = if on_behalf { "fac" } else { "par" };
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let body = text.get_untracked();
        if body.trim().is_empty() {
            return;
        }
        let on_behalf_of =
            Some(behalf.get_untracked().trim().to_string()).filter(|name| !name.is_empty());
        live.send(Command::AddContribution {
            kind: kind.get_untracked(),
            text: body,
            on_behalf_of,
        });
        text.set(String::new());
        sent.update(|count| *count += 1);
    };
    let text_id = format!("{prefix}-testo");
    let behalf_id = format!("{prefix}-percontodi");
    view! {
        <form class="add-card stack" method="post" action=format!("/forms/tavolo/{roundtable_id}/contributi")
            on:submit=on_submit data-testid=if on_behalf { "add-card-behalf" } else { "add-card" }>
            <fieldset class="kinds">
                <legend>{tr(lang.get_untracked(), "Tipo di contributo", "Kind of contribution")}</legend>
                {ContributionKind::all().iter().map(|&option| {
                    let id = format!("{prefix}-tipo-{}", kind_class(option));
                    view! {
                        <span class=format!("kind-option {}", kind_class(option))>
                            <input type="radio" name="kind" id=id.clone() value=kind_class(option)
                                checked=move || kind.get() == option
                                on:change=move |_| kind.set(option) />
                            <label for=id>{move || kind_label(lang.get(), option)}</label>
                        </span>
                    }
                }).collect_view()}
            </fieldset>
            <label for=text_id.clone()>{tr(lang.get_untracked(), "Il tuo contributo", "Your contribution")}</label>
            <textarea id=text_id name="text" required maxlength=MAX_CONTRIBUTION_CHARS.to_string() rows="3"
                bind:value=text></textarea>
            {on_behalf.then(|| view! {
                <label for=behalf_id.clone()>{tr(lang.get_untracked(), "Per conto di (nome o ente)", "On behalf of (name or organisation)")}</label>
                <input type="text" id=behalf_id name="on_behalf_of" maxlength="80" bind:value=behalf />
            })}
            <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Invia contributo", "Send contribution")}</button>
            <p class="visually-hidden" role="status">
                {move || (sent.get() > 0).then(|| tr(lang.get(), "Contributo in invio.", "Contribution being sent."))}
            </p>
        </form>
    }.into_any()
}

/// The user's cards on their way: pending (retried until acknowledged), or refused with the
/// reason and the text kept.
#[component]
pub fn PendingCards() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    view! {
        <Show when=move || !live.pending_cards().is_empty() || !live.other_errors().is_empty()>
            <section class="pending" aria-labelledby="in-invio">
                <h2 id="in-invio">{tr(lang.get_untracked(), "In invio", "Being sent")}</h2>
                <ul class="card-list">
                    {move || live.pending_cards().into_iter().map(|(pending, id, kind, text)| {
                        let retry_id = id.clone();
                        let discard_id = id.clone();
                        let failed = pending.error.clone();
                        let state = if failed.is_some() { "failed" } else { "pending" };
                        view! {
                            <li class=format!("card contribution {} {}", kind_class(kind), state)
                                data-testid="pending-card">
                                <p class="card-kind">{move || kind_label(lang.get(), kind)}</p>
                                <p class="card-text">{text}</p>
                                {match failed {
                                    None => view! {
                                        <p class="muted">{tr(lang.get_untracked(), "In attesa di conferma dal server…", "Waiting for the server to confirm…")}</p>
                                    }.into_any(),
                                    Some(message) => view! {
                                        <p class="alert" role="alert">
                                            {tr(lang.get_untracked(), "Non inviato: ", "Not sent: ")}{message}
                                        </p>
                                        <div class="actions">
                                            <button type="button" class="btn" on:click=move |_| live.retry(&retry_id)>
                                                {tr(lang.get_untracked(), "Riprova", "Try again")}
                                            </button>
                                            <button type="button" class="btn" on:click=move |_| live.discard(&discard_id)>
                                                {tr(lang.get_untracked(), "Scarta", "Discard")}
                                            </button>
                                        </div>
                                    }.into_any(),
                                }}
                            </li>
                        }
                    }).collect_view()}
                    {move || live.other_errors().into_iter().map(|(id, message)| view! {
                        <li class="card failed">
                            <p class="alert" role="alert">{message}</p>
                            <button type="button" class="btn" on:click=move |_| live.discard(&id)>
                                {tr(lang.get_untracked(), "Ho capito", "OK")}
                            </button>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }.into_any()
}
