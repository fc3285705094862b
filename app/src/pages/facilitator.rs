//! The facilitator's board: three columns, clusters (drag, or move by keyboard with a
//! select), merge, hide and reveal, edit with the author's trace, tags A-K and targets, phase,
//! timer, lock, meeting and attendance, and cards typed on behalf of someone.

use std::collections::BTreeMap;

use leptos::prelude::*;
use tavoli_core::{Command, ContributionKind, Lang, MAX_CONTRIBUTION_CHARS, Phase, PolicyArea};

use crate::{
    api::{Person, RoundtableView},
    components::{
        cards::{
            AddCardForm, PendingCards, card_origin, column_ids, kind_class, kind_label, kind_plural,
        },
        status::{LinkStatus, PhaseTimer, phase_label},
        voting::{OpenVotingForm, RoundsPanel},
    },
    i18n::{tr, use_lang},
    live::use_live,
};

/// Cards ticked for merging, shared by the columns and the merge bar.
#[derive(Clone, Copy)]
struct Selection(RwSignal<Vec<String>>);

#[component]
pub fn FacilitatorBoard(view: RoundtableView) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let selection = Selection(RwSignal::new(Vec::new()));
    provide_context(selection);
    let people = StoredValue::new(view.people.clone());
    let projector = format!("/proiezione/{}", view.id);
    view! {
        <div class="facilitator-board">
            <p class="muted process-title">{view.process_title.clone()}</p>
            <h1>{view.title.clone()}</h1>
            <p>
                {tr(lang.get_untracked(), "Codice per partecipare: ", "Join code: ")}
                <strong class="code" data-testid="join-code">{view.join_code.clone()}</strong>
                " · "
                <a href=projector target="_blank">{tr(lang.get_untracked(), "Apri la proiezione", "Open the projector view")}</a>
            </p>
            <PhaseTimer />
            <LinkStatus />
            <Controls />
            <PendingCards />
            <MergeBar />
            <Clusters />
            <div class="columns">
                {ContributionKind::all().iter().map(|&kind| {
                    let heading = format!("col-{}", kind_class(kind));
                    let heading_ref = heading.clone();
                    let ids = Memo::new(move |_| live.board.with(|board| column_ids(board, kind, true)));
                    view! {
                        <section class=format!("column {}", kind_class(kind)) aria-labelledby=heading_ref>
                            <h2 id=heading>
                                {move || kind_plural(lang.get(), kind)}
                                <span class="count">{move || format!(" ({})", ids.read().len())}</span>
                            </h2>
                            <ul class="card-list" data-testid=format!("column-{}", kind_class(kind))>
                                <For each=move || ids.get() key=|id| id.clone() let:id>
                                    <FacilitatorCard id />
                                </For>
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </div>
            <section aria-labelledby="per-conto" class="behalf">
                <h2 id="per-conto">{tr(lang.get_untracked(), "Scrivi per conto di qualcuno", "Type on behalf of someone")}</h2>
                <AddCardForm on_behalf=true />
            </section>
            <RoundsPanel />
            <OpenVotingForm />
            <Attendance people=people.get_value() />
        </div>
    }.into_any()
}

/// Phase, timer, lock and meeting.
#[component]
fn Controls() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let minutes = RwSignal::new("5".to_string());
    let meeting_open = move || live.board.with(|board| board.open_meeting().is_some());
    view! {
        <section class="controls card" aria-labelledby="conduzione">
            <h2 id="conduzione">{tr(lang.get_untracked(), "Conduzione", "Facilitation")}</h2>
            <fieldset class="phase-buttons">
                <legend>{tr(lang.get_untracked(), "Fase", "Phase")}</legend>
                {Phase::all().iter().map(|&phase| view! {
                    <button type="button" class="btn btn-small"
                        aria-pressed=move || (live.board.with(|board| board.phase) == phase).to_string()
                        on:click=move |_| { live.send(Command::SetPhase { phase }); }>
                        {move || phase_label(lang.get(), phase)}
                    </button>
                }).collect_view()}
            </fieldset>
            <form class="inline-form" on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                if let Ok(minutes) = minutes.get_untracked().trim().parse::<u32>() {
                    live.send(Command::StartTimer { seconds: minutes.saturating_mul(60) });
                }
            }>
                <label for="minuti">{tr(lang.get_untracked(), "Timer (minuti)", "Timer (minutes)")}</label>
                <input id="minuti" type="number" min="1" max="180" inputmode="numeric" bind:value=minutes />
                <button type="submit" class="btn btn-small">{tr(lang.get_untracked(), "Avvia", "Start")}</button>
                <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::StopTimer {}); }>
                    {tr(lang.get_untracked(), "Ferma", "Stop")}
                </button>
            </form>
            <div class="actions">
                {move || if live.board.with(|board| board.locked) {
                    view! { <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::UnlockBoard {}); }>
                        {tr(lang.get_untracked(), "Sblocca il tavolo", "Unlock the board")}</button> }.into_any()
                } else {
                    view! { <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::LockBoard {}); }>
                        {tr(lang.get_untracked(), "Blocca il tavolo", "Lock the board")}</button> }.into_any()
                }}
                {move || if meeting_open() {
                    view! { <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::CloseMeeting {}); }>
                        {tr(lang.get_untracked(), "Chiudi la seduta", "Close the meeting")}</button> }.into_any()
                } else {
                    view! { <button type="button" class="btn btn-small" data-testid="open-meeting" on:click=move |_| { live.send(Command::OpenMeeting { title: None }); }>
                        {tr(lang.get_untracked(), "Apri la seduta", "Open the meeting")}</button> }.into_any()
                }}
            </div>
        </section>
    }.into_any()
}

#[component]
fn MergeBar() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let Selection(selected) = expect_context::<Selection>();
    view! {
        <Show when=move || !selected.read().is_empty()>
            <div class="merge-bar card" role="region" aria-label=tr(lang.get_untracked(), "Unione dei contributi", "Merging contributions")>
                <span>{move || match lang.get() {
                    Lang::It => format!("{} contributi selezionati", selected.read().len()),
                    Lang::En => format!("{} contributions selected", selected.read().len()),
                }}</span>
                <button type="button" class="btn btn-primary btn-small" data-testid="merge" on:click=move |_| {
                    live.send(Command::MergeContributions { contribution_ids: selected.get_untracked(), text: None });
                    selected.set(Vec::new());
                }>{tr(lang.get_untracked(), "Unisci", "Merge")}</button>
                <button type="button" class="btn btn-small" on:click=move |_| selected.set(Vec::new())>
                    {tr(lang.get_untracked(), "Annulla selezione", "Clear selection")}
                </button>
            </div>
        </Show>
    }.into_any()
}

/// Clusters: create one, and drop zones that list their cards.
#[component]
fn Clusters() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let title = RwSignal::new(String::new());
    view! {
        <section class="clusters" aria-labelledby="raggruppamenti">
            <h2 id="raggruppamenti">{tr(lang.get_untracked(), "Raggruppamenti", "Clusters")}</h2>
            <form class="inline-form" on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                let text = title.get_untracked();
                if !text.trim().is_empty() {
                    live.send(Command::CreateCluster { title: text });
                    title.set(String::new());
                }
            }>
                <label for="nuovo-raggruppamento">{tr(lang.get_untracked(), "Nuovo raggruppamento", "New cluster")}</label>
                <input id="nuovo-raggruppamento" type="text" maxlength="200" bind:value=title />
                <button type="submit" class="btn btn-small">{tr(lang.get_untracked(), "Crea", "Create")}</button>
            </form>
            <ul class="cluster-list">
                {move || live.board.with(|board| board.clusters.clone()).into_iter().map(|cluster| {
                    let cluster_id = cluster.cluster_id.clone();
                    let drop_id = cluster.cluster_id.clone();
                    let delete_id = cluster.cluster_id.clone();
                    let cards = move || live.board.with(|board| board.live_contributions()
                        .filter(|card| card.cluster_id.as_deref() == Some(cluster_id.as_str()))
                        .map(|card| card.text.clone()).collect::<Vec<_>>());
                    view! {
                        <li class="cluster card" data-testid="cluster"
                            on:dragover=move |event: leptos::ev::DragEvent| event.prevent_default()
                            on:drop=move |event: leptos::ev::DragEvent| {
                                event.prevent_default();
                                if let Some(card) = event.data_transfer().and_then(|data| data.get_data("text/plain").ok()) {
                                    live.send(Command::MoveContribution { contribution_id: card, cluster_id: Some(drop_id.clone()) });
                                }
                            }>
                            <h3>{cluster.title.clone()}</h3>
                            <ul>{move || cards().into_iter().map(|text| view! { <li>{text}</li> }).collect_view()}</ul>
                            <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::DeleteCluster { cluster_id: delete_id.clone() }); }>
                                {tr(lang.get_untracked(), "Elimina raggruppamento", "Delete cluster")}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }.into_any()
}

#[component]
fn FacilitatorCard(id: String) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let Selection(selected) = expect_context::<Selection>();
    let card_id = StoredValue::new(id.clone());
    let card = Memo::new(move |_| {
        live.board.with(|board| {
            board
                .contribution(&card_id.get_value())
                .map(|card| (card.clone(), card_origin(board, card)))
        })
    });
    let clusters = Memo::new(move |_| live.board.with(|board| board.clusters.clone()));
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(String::new());
    let targets = RwSignal::new(String::new());
    let areas = RwSignal::new(Vec::<char>::new());
    let is_selected = move || selected.read().contains(&card_id.get_value());
    move || {
        card.get().map(|(card, origin)| {
        let cid = card.contribution_id.clone();
        let text = card.text.clone();
        let select_id = format!("sel-{cid}");
        let move_id = format!("sposta-{cid}");
        let edit_id = format!("testo-{cid}");
        let target_id = format!("dest-{cid}");
        let current_cluster = card.cluster_id.clone().unwrap_or_default();
        let card_areas: Vec<char> = card.policy_areas.iter().map(PolicyArea::letter).collect();
        let card_targets = card.targets.join(", ");
        let drag_id = cid.clone();
        view! {
            <li class=format!("card contribution {}{}", kind_class(card.kind), if card.hidden { " hidden-card" } else { "" })
                data-testid="card" data-id=cid.clone() draggable="true"
                on:dragstart=move |event: leptos::ev::DragEvent| {
                    if let Some(data) = event.data_transfer() {
                        let _ = data.set_data("text/plain", &drag_id);
                    }
                }>
                <div class="card-head">
                    <input type="checkbox" id=select_id.clone() checked=is_selected
                        on:change=move |_| selected.update(|list| {
                            let id = card_id.get_value();
                            if let Some(position) = list.iter().position(|other| *other == id) { list.remove(position); } else { list.push(id); }
                        }) />
                    <label for=select_id class="select-label">{tr(lang.get_untracked(), "Seleziona per unire", "Select to merge")}</label>
                </div>
                {
                    let text = text.clone();
                    move || if editing.get() {
                        let edit_id = edit_id.clone();
                        view! {
                            <form class="stack" on:submit=move |event: leptos::ev::SubmitEvent| {
                                event.prevent_default();
                                live.send(Command::EditContribution { contribution_id: card_id.get_value(), text: draft.get_untracked() });
                                editing.set(false);
                            }>
                                <label for=edit_id.clone()>{tr(lang.get_untracked(), "Nuova formulazione", "New wording")}</label>
                                <textarea id=edit_id maxlength=MAX_CONTRIBUTION_CHARS.to_string() bind:value=draft></textarea>
                                <div class="actions">
                                    <button type="submit" class="btn btn-primary btn-small">{tr(lang.get_untracked(), "Salva", "Save")}</button>
                                    <button type="button" class="btn btn-small" on:click=move |_| editing.set(false)>{tr(lang.get_untracked(), "Annulla", "Cancel")}</button>
                                </div>
                            </form>
                        }.into_any()
                    } else {
                        view! { <p class="card-text">{text.clone()}</p> }.into_any()
                    }
                }
                <p class="card-meta muted">
                    {origin.clone()}
                    {card.on_behalf_of.clone().map(|name| view! { <span>{tr(lang.get_untracked(), " · per conto di ", " · on behalf of ")}{name.clone()}</span> })}
                    {card.hidden.then(|| view! { <span>{tr(lang.get_untracked(), " · nascosto", " · hidden")}</span> })}
                    {(!card.policy_areas.is_empty()).then(|| {
                        let letters = card_areas.iter().map(char::to_string).collect::<Vec<_>>().join(" ");
                        view! { <span>{tr(lang.get_untracked(), " · aree ", " · areas ")}{letters.clone()}</span> }
                    })}
                    {(!card.targets.is_empty()).then(|| view! { <span>" · "{card_targets.clone()}</span> })}
                </p>
                {(!card.edits.is_empty()).then(|| view! {
                    <details class="trace">
                        <summary>{tr(lang.get_untracked(), "Testo originale", "Original text")}</summary>
                        <ol>{card.edits.iter().map(|edit| view! { <li>{edit.previous_text.clone()}</li> }).collect_view()}</ol>
                    </details>
                })}
                <div class="card-tools">
                    <label for=move_id.clone() class="small-label">{tr(lang.get_untracked(), "Raggruppamento", "Cluster")}</label>
                    <select id=move_id data-testid="move" on:change=move |event| {
                        let value = event_target_value(&event);
                        live.send(Command::MoveContribution {
                            contribution_id: card_id.get_value(),
                            cluster_id: Some(value).filter(|value| !value.is_empty()),
                        });
                    }>
                        <option value="" selected=current_cluster.is_empty()>{tr(lang.get_untracked(), "Nessuno", "None")}</option>
                        {clusters.get().into_iter().map(|cluster| {
                            let selected = cluster.cluster_id == current_cluster;
                            view! { <option value=cluster.cluster_id.clone() selected=selected>{cluster.title.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <div class="actions">
                        <button type="button" class="btn btn-small" on:click={
                            let text = text.clone();
                            move |_| { draft.set(text.clone()); editing.set(true); }
                        }>{tr(lang.get_untracked(), "Modifica", "Edit")}</button>
                        {if card.hidden {
                            view! { <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::RevealContribution { contribution_id: card_id.get_value() }); }>
                                {tr(lang.get_untracked(), "Mostra", "Reveal")}</button> }.into_any()
                        } else {
                            view! { <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::HideContribution { contribution_id: card_id.get_value() }); }>
                                {tr(lang.get_untracked(), "Nascondi", "Hide")}</button> }.into_any()
                        }}
                    </div>
                    <details class="tags" on:toggle=move |_| { areas.set(card_areas.clone()); targets.set(card_targets.clone()); }>
                        <summary>{tr(lang.get_untracked(), "Aree A-K e destinatari", "Areas A-K and targets")}</summary>
                        <form class="stack" on:submit=move |event: leptos::ev::SubmitEvent| {
                            event.prevent_default();
                            live.send(Command::TagContribution {
                                contribution_id: card_id.get_value(),
                                policy_areas: areas.get_untracked().iter().map(char::to_string).collect(),
                                targets: targets.get_untracked().split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect(),
                            });
                        }>
                            <fieldset class="areas">
                                <legend>{tr(lang.get_untracked(), "Macroaree", "Policy areas")}</legend>
                                {PolicyArea::all().into_iter().map(|area| {
                                    let letter = area.letter();
                                    let input_id = format!("area-{cid}-{letter}");
                                    view! {
                                        <span class="area-option">
                                            <input type="checkbox" id=input_id.clone() checked=move || areas.read().contains(&letter)
                                                on:change=move |_| areas.update(|list| {
                                                    if let Some(position) = list.iter().position(|l| *l == letter) { list.remove(position); } else { list.push(letter); list.sort(); }
                                                }) />
                                            <label for=input_id title=move || match lang.get() { Lang::It => area.label_it(), Lang::En => area.label_en() }>
                                                {letter.to_string()}
                                                <span class="visually-hidden">{move || match lang.get() { Lang::It => format!(" {}", area.label_it()), Lang::En => format!(" {}", area.label_en()) }}</span>
                                            </label>
                                        </span>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <label for=target_id.clone()>{tr(lang.get_untracked(), "Destinatari (separati da virgole)", "Targets (comma separated)")}</label>
                            <input type="text" id=target_id bind:value=targets />
                            <button type="submit" class="btn btn-small">{tr(lang.get_untracked(), "Salva le etichette", "Save the tags")}</button>
                        </form>
                    </details>
                </div>
                <p class="visually-hidden">{move || kind_label(lang.get(), card.kind)}</p>
            </li>
        }
    })
    }
}

/// Who is present at the open meeting, by organisation.
#[component]
fn Attendance(people: Vec<Person>) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let names: BTreeMap<String, String> = people
        .into_iter()
        .map(|person| (person.participant_id, person.name))
        .collect();
    let groups = move || {
        live.board.with(|board| {
            let present: Vec<String> = board
                .open_meeting()
                .map(|meeting| meeting.attendance.clone())
                .unwrap_or_default();
            let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for participant in board
                .participants
                .iter()
                .filter(|p| present.contains(&p.participant_id))
            {
                let name = names
                    .get(&participant.participant_id)
                    .cloned()
                    .unwrap_or_default();
                groups
                    .entry(participant.organisation.clone())
                    .or_default()
                    .push(name);
            }
            groups
        })
    };
    view! {
        <section class="attendance" aria-labelledby="presenze">
            <h2 id="presenze">{tr(lang.get_untracked(), "Presenze alla seduta", "Attendance at this meeting")}</h2>
            {move || {
                let groups = groups();
                if groups.is_empty() {
                    view! { <p class="muted">{tr(lang.get_untracked(), "Nessuna presenza registrata: apri la seduta per registrare chi partecipa.", "No attendance recorded: open the meeting to record who takes part.")}</p> }.into_any()
                } else {
                    view! {
                        <table class="table" data-testid="attendance">
                            <thead><tr>
                                <th scope="col">{tr(lang.get_untracked(), "Ente", "Organisation")}</th>
                                <th scope="col">{tr(lang.get_untracked(), "Presenti", "Present")}</th>
                                <th scope="col">{tr(lang.get_untracked(), "Persone", "People")}</th>
                            </tr></thead>
                            <tbody>
                                {groups.into_iter().map(|(organisation, people)| view! {
                                    <tr><th scope="row">{organisation}</th><td>{people.len()}</td><td>{people.join(", ")}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
        </section>
    }.into_any()
}
