//! The participant's board, phone first: add a card, see everyone's cards arrive, edit or
//! withdraw one's own while collection is open, vote when a round is open.

use leptos::prelude::*;
use tavoli_core::{Command, ContributionKind, MAX_CONTRIBUTION_CHARS, Phase};

use crate::{
    api::RoundtableView,
    components::{
        cards::{AddCardForm, PendingCards, card_origin, column_ids, kind_class, kind_plural},
        status::{LinkStatus, PhaseTimer},
        voting::VotingPanel,
    },
    i18n::{tr, use_lang},
    live::use_live,
};

#[component]
pub fn ParticipantBoard(view: RoundtableView) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let me = StoredValue::new(view.me.participant_id.clone().unwrap_or_default());
    let collecting = move || {
        live.board
            .with(|board| board.phase == Phase::Collect && !board.locked)
    };
    view! {
        <div class="participant-board">
            <p class="muted process-title">{view.process_title.clone()}</p>
            <h1>{view.title.clone()}</h1>
            <p class="muted">{tr(lang.get_untracked(), "Partecipi come ", "Taking part as ")}<strong>{view.me.name.clone()}</strong></p>
            <PhaseTimer />
            <LinkStatus />
            <VotingPanel />
            <section aria-labelledby="nuovo" class="new-card">
                <h2 id="nuovo">{tr(lang.get_untracked(), "Nuovo contributo", "New contribution")}</h2>
                <Show when=collecting fallback=move || view! {
                    <p class="notice">{tr(lang.get_untracked(), "La raccolta dei contributi è chiusa in questa fase.", "Contributions are not being collected in this phase.")}</p>
                }>
                    <AddCardForm />
                </Show>
            </section>
            <PendingCards />
            {ContributionKind::all().iter().map(|&kind| {
                let heading = format!("col-{}", kind_class(kind));
                let heading_ref = heading.clone();
                let ids = Memo::new(move |_| live.board.with(|board| column_ids(board, kind, false)));
                view! {
                    <section class=format!("column {}", kind_class(kind)) aria-labelledby=heading_ref>
                        <h2 id=heading>
                            {move || kind_plural(lang.get(), kind)}
                            <span class="count">{move || format!(" ({})", ids.read().len())}</span>
                        </h2>
                        <ul class="card-list" data-testid=format!("column-{}", kind_class(kind))>
                            <For each=move || ids.get() key=|id| id.clone() let:id>
                                <ParticipantCard id me=me.get_value() />
                            </For>
                        </ul>
                    </section>
                }
            }).collect_view()}
        </div>
    }.into_any()
}

#[component]
fn ParticipantCard(id: String, me: String) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let card_id = StoredValue::new(id.clone());
    let card = Memo::new(move |_| {
        live.board.with(|board| {
            board.contribution(&card_id.get_value()).map(|card| {
                let cluster = card
                    .cluster_id
                    .as_deref()
                    .and_then(|id| board.cluster(id))
                    .map(|cluster| cluster.title.clone());
                (card.clone(), card_origin(board, card), cluster)
            })
        })
    });
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let me = StoredValue::new(me);
    let mine = move || {
        card.with(|card| {
            card.as_ref().is_some_and(|(card, _, _)| {
                me.with_value(|me| card.author.as_deref() == Some(me.as_str()))
            })
        })
    };
    let collecting = move || {
        live.board
            .with(|board| board.phase == Phase::Collect && !board.locked)
    };
    let edit_id = format!("modifica-{id}");
    move || {
        card.get().map(|(card, origin, cluster)| {
        let edit_id = edit_id.clone();
        let text = card.text.clone();
        let shown = card.text.clone();
        view! {
            <li class=format!("card contribution {}", kind_class(card.kind)) data-testid="card" data-id=card.contribution_id.clone()>
                <Show when=move || !editing.get() fallback=move || {
                    let edit_id = edit_id.clone();
                    view! {
                        <form class="stack" on:submit=move |event: leptos::ev::SubmitEvent| {
                            event.prevent_default();
                            live.send(Command::EditContribution { contribution_id: card_id.get_value(), text: draft.get_untracked() });
                            editing.set(false);
                        }>
                            <label for=edit_id.clone()>{tr(lang.get_untracked(), "Modifica il testo", "Edit the text")}</label>
                            <textarea id=edit_id maxlength=MAX_CONTRIBUTION_CHARS.to_string() bind:value=draft></textarea>
                            <div class="actions">
                                <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Salva", "Save")}</button>
                                <button type="button" class="btn" on:click=move |_| editing.set(false)>{tr(lang.get_untracked(), "Annulla", "Cancel")}</button>
                            </div>
                        </form>
                    }
                }>
                    <p class="card-text">{shown.clone()}</p>
                </Show>
                <p class="card-meta muted">
                    {origin.clone()}
                    {cluster.clone().map(|title| view! { <span class="cluster-tag">{tr(lang.get_untracked(), " · Raggruppamento: ", " · Cluster: ")}{title.clone()}</span> })}
                    {(!card.edits.is_empty()).then(|| view! { <span>{tr(lang.get_untracked(), " · modificato", " · edited")}</span> })}
                </p>
                {
                    let text = text.clone();
                    move || (mine() && collecting() && !editing.get()).then(|| {
                        let text = text.clone();
                        view! {
                            <div class="actions">
                                <button type="button" class="btn btn-small" on:click=move |_| { draft.set(text.clone()); editing.set(true); }>
                                    {tr(lang.get_untracked(), "Modifica", "Edit")}
                                </button>
                                <button type="button" class="btn btn-small" on:click=move |_| {
                                    live.send(Command::WithdrawContribution { contribution_id: card_id.get_value() });
                                }>
                                    {tr(lang.get_untracked(), "Ritira", "Withdraw")}
                                </button>
                            </div>
                        }
                    })
                }
            </li>
        }
    })
    }
}
