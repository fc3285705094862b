//! `/proiezione/{id}`: the wall view, readable from the back of the room: the join QR and
//! code, phase and timer, the live cards and the results of the rounds.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use tavoli_core::ContributionKind;

use crate::{
    api::{Access, RoundtableView, load_roundtable},
    components::{
        cards::{column_ids, kind_class, kind_plural},
        status::{LinkStatus, PhaseTimer},
        voting::RoundsPanel,
    },
    i18n::{tr, use_lang},
    live::{Live, use_live},
    pages::board::{LoadFailed, SignInNeeded, loading},
};

#[component]
pub fn ProjectorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let view_data = Resource::new(id, load_roundtable);
    view! {
        <Suspense fallback=loading>
            {move || view_data.get().map(|result| match result {
                Ok(Access::Granted(view)) => view! { <Projector view /> }.into_any(),
                Ok(Access::SignInNeeded) => view! { <SignInNeeded /> }.into_any(),
                Ok(Access::NotFound) => view! { <crate::pages::not_found::NotFound /> }.into_any(),
                Err(_) => view! { <LoadFailed /> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Projector(view: RoundtableView) -> impl IntoView {
    let lang = use_lang();
    let live = Live::new(view.id.clone(), view.board.clone());
    provide_context(live);
    provide_context(view.me.clone());
    let live = use_live();
    view! {
        <Title text=view.title.clone() />
        <div class="projector">
            <header class="projector-head">
                <div>
                    <h1>{view.title.clone()}</h1>
                    <PhaseTimer />
                    <LinkStatus />
                </div>
                <div class="join-box">
                    <div class="qr" aria-hidden="true" inner_html=view.qr_svg.clone()></div>
                    <p>
                        {tr(lang.get_untracked(), "Partecipa: ", "Join: ")}<span class="join-url">{view.join_url.clone()}</span><br />
                        {tr(lang.get_untracked(), "Codice ", "Code ")}<strong class="code" data-testid="projector-code">{view.join_code.clone()}</strong>
                    </p>
                </div>
            </header>
            <RoundsPanel projector=true />
            <div class="columns">
                {ContributionKind::all().iter().map(|&kind| {
                    let heading = format!("proj-{}", kind_class(kind));
                    let heading_ref = heading.clone();
                    let cards = Memo::new(move |_| live.board.with(|board| column_ids(board, kind, false)
                        .into_iter().filter_map(|id| board.contribution(&id).map(|card| (id, card.text.clone()))).collect::<Vec<_>>()));
                    view! {
                        <section class=format!("column {}", kind_class(kind)) aria-labelledby=heading_ref>
                            <h2 id=heading>{move || kind_plural(lang.get(), kind)}</h2>
                            <ul class="card-list" data-testid=format!("projector-{}", kind_class(kind))>
                                <For each=move || cards.get() key=|(id, text)| (id.clone(), text.clone()) let:card>
                                    <li class=format!("card contribution {}", kind_class(kind)) data-testid="card">{card.1}</li>
                                </For>
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </div>
        </div>
    }.into_any()
}
