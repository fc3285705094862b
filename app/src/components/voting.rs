//! Voting: the facilitator's form to open a round, a participant's dots, and the ranked
//! results with an SVG bar chart (board and projector). Counting is the core's (`rank`,
//! `live_results`) or the server's (`tally` messages); nothing is counted here.

use leptos::prelude::*;
use tavoli_core::{
    BallotUnit, Board, Command, ContributionKind, Lang, RoundResult, RoundStatus, VotingRound,
};

use crate::{
    api::Me,
    components::cards::{kind_class, kind_plural},
    i18n::{tr, use_lang},
    live::use_live,
};

/// The results to show for a round: final ones once closed, else the live count (from the
/// server's coalesced tally when there is one), none while a hidden round is open.
pub fn shown_results(
    round: &VotingRound,
    tally: Option<&crate::live::LiveTally>,
) -> Option<Vec<RoundResult>> {
    match round.status {
        RoundStatus::Closed => Some(round.results.clone()),
        RoundStatus::Open if round.hide_results => None,
        RoundStatus::Open => Some(match tally.and_then(|tally| tally.results.clone()) {
            Some(results) => results,
            None => round.live_results(),
        }),
    }
}

fn card_text(board: &Board, id: &str) -> String {
    board
        .contribution(id)
        .map(|card| card.text.clone())
        .unwrap_or_default()
}

/// A participant's ballot in the open round: dots left, and + / − per card.
#[component]
pub fn VotingPanel() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let me = use_context::<Me>()
        .and_then(|me| me.participant_id)
        .unwrap_or_default();
    let me = StoredValue::new(me);
    let open = Memo::new(move |_| live.board.with(|board| board.open_round().cloned()));
    // Own dots: from the server's `your_ballot` (secret rounds), else from the open ballots.
    let my_dots = move |round: &VotingRound, card: &str| -> u32 {
        let me = me.get_value();
        // Only a secret round hides whose dots are whose: there the server's `your_ballot`
        // (sent on connecting and after each of our own votes) is the only source.
        if let Some((dots, _)) = round
            .secret
            .then(|| live.my_ballots.read().get(&round.round).cloned())
            .flatten()
        {
            return dots
                .iter()
                .filter(|dot| dot.contribution_id == card && dot.participant_id == me)
                .count() as u32;
        }
        round
            .ballots
            .values()
            .flatten()
            .filter(|dot| dot.contribution_id == card && dot.participant_id == me)
            .count() as u32
    };
    let dots_left = move |round: &VotingRound| -> u32 {
        if let Some((_, left)) = round
            .secret
            .then(|| live.my_ballots.read().get(&round.round).cloned())
            .flatten()
        {
            return left;
        }
        live.board
            .with(|board| board.dots_left(round.round, &me.get_value()))
    };
    move || {
        open.get().map(|round| {
        let number = round.round;
        let ids = round.contribution_ids.clone();
        let heading = format!("voto-{number}");
        let heading_ref = heading.clone();
        let round_for_left = round.clone();
        view! {
            <section class="voting card" aria-labelledby=heading_ref data-testid="voting">
                <h2 id=heading>{move || match lang.get() {
                    Lang::It => format!("Votazione {number}: scegli le priorità"),
                    Lang::En => format!("Round {number}: pick the priorities"),
                }}</h2>
                <p role="status" data-testid="dots-left">{move || {
                    let left = dots_left(&round_for_left);
                    match lang.get() {
                        Lang::It if left == 1 => format!("Ti resta 1 punto su {}.", round_for_left.dots_per_voter),
                        Lang::It => format!("Ti restano {left} punti su {}.", round_for_left.dots_per_voter),
                        Lang::En => format!("You have {left} of {} dots left.", round_for_left.dots_per_voter),
                    }
                }}
                {(round.ballot == BallotUnit::Organisation).then(|| view! {
                    <span>{tr(lang.get_untracked(), " Il tuo ente vota con un'unica scheda.", " Your organisation shares one ballot.")}</span>
                })}
                </p>
                <ul class="ballot">
                    {ids.into_iter().map(|card| {
                        let text = live.board.with_untracked(|board| card_text(board, &card));
                        let cast = card.clone();
                        let back = card.clone();
                        let count_id = card.clone();
                        view! {
                            <li class="ballot-row" data-testid="ballot-row">
                                <span class="ballot-text">{text.clone()}</span>
                                <span class="ballot-dots" aria-live="polite">{move || {
                                    let mine = open.with(|open| open.as_ref().map(|round| my_dots(round, &count_id))).unwrap_or(0);
                                    match lang.get() { Lang::It => format!("Tuoi: {mine}"), Lang::En => format!("Yours: {mine}") }
                                }}</span>
                                <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::CastVote { round: number, contribution_id: cast.clone() }); }>
                                    "+"<span class="visually-hidden">{tr(lang.get_untracked(), " un punto a: ", " one dot to: ")}{text.clone()}</span>
                                </button>
                                <button type="button" class="btn btn-small" on:click=move |_| { live.send(Command::RetractVote { round: number, contribution_id: back.clone() }); }>
                                    "−"<span class="visually-hidden">{tr(lang.get_untracked(), " togli un punto da: ", " take a dot back from: ")}{text.clone()}</span>
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
    }
}

/// Every round of the roundtable, newest first, with its ranking and chart; facilitators
/// may close the open one.
#[component]
pub fn RoundsPanel(#[prop(optional)] projector: bool) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let moderator = use_context::<Me>().is_some_and(|me| me.role.moderates());
    let rounds = Memo::new(move |_| live.board.with(|board| board.voting_rounds.clone()));
    view! {
        <Show when=move || !rounds.read().is_empty()>
            <section class="rounds" aria-labelledby="votazioni">
                <h2 id="votazioni">{tr(lang.get_untracked(), "Votazioni", "Voting rounds")}</h2>
                {move || rounds.get().into_iter().rev().map(|round| {
                    let number = round.round;
                    let tally = live.tallies.read().get(&number).cloned();
                    let voters = tally.as_ref().map_or(round.voters, |tally| tally.voters);
                    let results = shown_results(&round, tally.as_ref());
                    let open = round.is_open();
                    view! {
                        <article class="round card" data-testid="round">
                            <h3>{move || match (lang.get(), open) {
                                (Lang::It, true) => format!("Votazione {number} (aperta)"),
                                (Lang::It, false) => format!("Votazione {number} (chiusa)"),
                                (Lang::En, true) => format!("Round {number} (open)"),
                                (Lang::En, false) => format!("Round {number} (closed)"),
                            }}</h3>
                            <p data-testid="voters">{move || match lang.get() {
                                Lang::It => format!("Hanno votato: {voters}"),
                                Lang::En => format!("Voted so far: {voters}"),
                            }}</p>
                            {match results {
                                Some(results) => view! { <ResultsChart results projector /> }.into_any(),
                                None => view! { <p class="muted">{tr(lang.get_untracked(), "I risultati saranno visibili alla chiusura.", "Results will show when the round closes.")}</p> }.into_any(),
                            }}
                            {(moderator && open && !projector).then(|| view! {
                                <button type="button" class="btn btn-primary btn-small" data-testid="close-voting"
                                    on:click=move |_| { live.send(Command::CloseVoting { round: number }); }>
                                    {tr(lang.get_untracked(), "Chiudi la votazione", "Close the round")}
                                </button>
                            })}
                        </article>
                    }
                }).collect_view()}
            </section>
        </Show>
    }.into_any()
}

/// A ranked list with counts and shares, ties named as ties, and the same figures as an SVG
/// bar chart (decorative for screen readers: the list says it all).
#[component]
pub fn ResultsChart(results: Vec<RoundResult>, #[prop(optional)] projector: bool) -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let total: u32 = results.iter().map(|result| result.dots).sum();
    let max = results
        .iter()
        .map(|result| result.dots)
        .max()
        .unwrap_or(0)
        .max(1);
    let rows: Vec<(RoundResult, String, bool)> = live.board.with_untracked(|board| {
        results
            .iter()
            .map(|result| {
                let tied = results
                    .iter()
                    .filter(|other| other.rank == result.rank)
                    .count()
                    > 1;
                (
                    result.clone(),
                    card_text(board, &result.contribution_id),
                    tied,
                )
            })
            .collect()
    });
    let bar_height = if projector { 36 } else { 24 };
    let height = rows.len() as u32 * (bar_height + 8);
    let bars = rows.iter().enumerate().map(|(index, (result, _, _))| {
        let y = index as u32 * (bar_height + 8);
        let width = (result.dots as f64 / max as f64 * 560.0).round();
        view! {
            <rect x="40" y=y.to_string() width=width.to_string() height=bar_height.to_string() class="bar" />
            <text x="0" y=(y + bar_height * 2 / 3).to_string() class="bar-rank">{result.rank.to_string()}</text>
            <text x=(48.0 + width).to_string() y=(y + bar_height * 2 / 3).to_string() class="bar-value">{result.dots.to_string()}</text>
        }
    }).collect_view();
    view! {
        <ol class="results" data-testid="results">
            {rows.iter().map(|(result, text, tied)| {
                let share = if total == 0 { 0.0 } else { f64::from(result.dots) * 100.0 / f64::from(total) };
                let rank = result.rank;
                let dots = result.dots;
                let tied = *tied;
                view! {
                    <li data-testid="result" data-dots=dots.to_string() data-rank=rank.to_string()>
                        <span class="result-rank">{move || match (lang.get(), tied) {
                            (Lang::It, true) => format!("{rank}° ex aequo"),
                            (Lang::It, false) => format!("{rank}°"),
                            (Lang::En, true) => format!("#{rank} (tie)"),
                            (Lang::En, false) => format!("#{rank}"),
                        }}</span>
                        " "<span class="result-text">{text.clone()}</span>
                        " "<span class="result-dots">{move || match lang.get() {
                            Lang::It => format!("{dots} punti ({share:.0}%)"),
                            Lang::En => format!("{dots} dots ({share:.0}%)"),
                        }}</span>
                    </li>
                }
            }).collect_view()}
        </ol>
        <svg class="chart" viewBox=format!("0 0 640 {}", height.max(1)) role="img" aria-hidden="true" focusable="false"
            preserveAspectRatio="xMinYMin meet">
            {bars}
        </svg>
    }.into_any()
}

/// The facilitator's form to open a round on a set of cards.
#[component]
pub fn OpenVotingForm() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let scope = RwSignal::new("proposal".to_string());
    let dots = RwSignal::new("3".to_string());
    let per_card = RwSignal::new("3".to_string());
    let ballot = RwSignal::new(BallotUnit::Person);
    let secret = RwSignal::new(false);
    let hide = RwSignal::new(false);
    let minutes = RwSignal::new(String::new());
    let clusters = Memo::new(move |_| live.board.with(|board| board.clusters.clone()));
    let has_open = move || live.board.with(|board| board.open_round().is_some());
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let scope = scope.get_untracked();
        let contribution_ids: Vec<String> = live.board.with_untracked(|board| {
            board
                .live_contributions()
                .filter(|card| !card.hidden)
                .filter(|card| match scope.as_str() {
                    "need" => card.kind == ContributionKind::Need,
                    "resource" => card.kind == ContributionKind::Resource,
                    "proposal" => card.kind == ContributionKind::Proposal,
                    cluster => card.cluster_id.as_deref() == cluster.strip_prefix("cluster:"),
                })
                .map(|card| card.contribution_id.clone())
                .collect()
        });
        let seconds = minutes
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| *m > 0)
            .map(|m| m.saturating_mul(60));
        live.send(Command::OpenVoting {
            contribution_ids,
            dots_per_voter: dots.get_untracked().trim().parse().unwrap_or(0),
            max_per_contribution: per_card.get_untracked().trim().parse().unwrap_or(0),
            ballot: ballot.get_untracked(),
            secret: secret.get_untracked(),
            hide_results: hide.get_untracked(),
            seconds,
        });
    };
    view! {
        <Show when=move || !has_open()>
            <section class="open-voting card" aria-labelledby="nuova-votazione">
                <h2 id="nuova-votazione">{tr(lang.get_untracked(), "Nuova votazione", "New voting round")}</h2>
                <form class="stack" on:submit=on_submit data-testid="open-voting">
                    <label for="voto-ambito">{tr(lang.get_untracked(), "Su quali contributi", "On which contributions")}</label>
                    <select id="voto-ambito" on:change=move |event| scope.set(event_target_value(&event))>
                        {ContributionKind::all().iter().map(|&kind| view! {
                            <option value=kind_class(kind) selected=move || scope.get() == kind_class(kind)>
                                {move || kind_plural(lang.get(), kind)}{tr(lang.get_untracked(), ": tutti", ": all")}
                            </option>
                        }).collect_view()}
                        {move || clusters.get().into_iter().map(|cluster| {
                            let value = format!("cluster:{}", cluster.cluster_id);
                            view! { <option value=value>{tr(lang.get_untracked(), "Raggruppamento: ", "Cluster: ")}{cluster.title.clone()}</option> }
                        }).collect_view()}
                    </select>
                    <label for="voto-punti">{tr(lang.get_untracked(), "Punti per votante", "Dots per voter")}</label>
                    <input id="voto-punti" type="number" min="1" max="20" bind:value=dots />
                    <label for="voto-max">{tr(lang.get_untracked(), "Punti al massimo su un contributo", "Most dots on one contribution")}</label>
                    <input id="voto-max" type="number" min="1" max="20" bind:value=per_card />
                    <fieldset class="kinds">
                        <legend>{tr(lang.get_untracked(), "Scheda", "Ballot")}</legend>
                        <span class="kind-option">
                            <input type="radio" id="scheda-persona" name="scheda" checked=move || ballot.get() == BallotUnit::Person on:change=move |_| ballot.set(BallotUnit::Person) />
                            <label for="scheda-persona">{tr(lang.get_untracked(), "Una per persona", "One per person")}</label>
                        </span>
                        <span class="kind-option">
                            <input type="radio" id="scheda-ente" name="scheda" checked=move || ballot.get() == BallotUnit::Organisation on:change=move |_| ballot.set(BallotUnit::Organisation) />
                            <label for="scheda-ente">{tr(lang.get_untracked(), "Una per ente", "One per organisation")}</label>
                        </span>
                    </fieldset>
                    <span class="check"><input type="checkbox" id="voto-segreto" bind:checked=secret />
                        <label for="voto-segreto">{tr(lang.get_untracked(), "Voto segreto", "Secret ballot")}</label></span>
                    <span class="check"><input type="checkbox" id="voto-nascosto" bind:checked=hide />
                        <label for="voto-nascosto">{tr(lang.get_untracked(), "Risultati nascosti fino alla chiusura", "Hide results until close")}</label></span>
                    <label for="voto-minuti">{tr(lang.get_untracked(), "Timer in minuti (facoltativo)", "Timer in minutes (optional)")}</label>
                    <input id="voto-minuti" type="number" min="1" max="180" bind:value=minutes />
                    <button type="submit" class="btn btn-primary">{tr(lang.get_untracked(), "Apri la votazione", "Open the round")}</button>
                </form>
            </section>
        </Show>
    }.into_any()
}
