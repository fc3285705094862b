//! The status line of a live roundtable: phase, timer, connection and who is online.

use std::time::Duration;

use leptos::prelude::*;
use tavoli_core::{Lang, Phase};

use crate::{
    i18n::{tr, use_lang},
    live::{Link, now_ms, use_live},
};

pub fn phase_label(lang: Lang, phase: Phase) -> &'static str {
    match lang {
        Lang::It => phase.label_it(),
        Lang::En => phase.label_en(),
    }
}

/// `mm:ss` of the time left until `ends_at`, never negative.
pub fn time_left(ends_at: i64, now: i64) -> String {
    let seconds = ((ends_at - now).max(0) + 999) / 1000;
    format!("{:02}:{:02}", seconds / 60, seconds % 60)
}

/// A clock that ticks every second in the browser (a fixed instant on the server).
pub fn use_clock() -> ReadSignal<i64> {
    let (now, set_now) = signal(now_ms());
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) =
            set_interval_with_handle(move || set_now.set(now_ms()), Duration::from_secs(1))
        {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_now, Duration::ZERO);
    now
}

/// Phase and timer of the board, for every view.
#[component]
pub fn PhaseTimer() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    let now = use_clock();
    let phase = move || live.board.with(|board| board.phase);
    let timer = move || live.board.with(|board| board.timer);
    view! {
        <p class="phase-line">
            <span class="phase" data-testid="phase">
                {tr(lang.get_untracked(), "Fase: ", "Phase: ")}
                <strong>{move || phase_label(lang.get(), phase())}</strong>
            </span>
            {move || timer().map(|timer| view! {
                <span class="timer" role="timer" data-testid="timer">
                    {tr(lang.get_untracked(), "Tempo rimasto ", "Time left ")}
                    <strong>{move || time_left(timer.ends_at, now.get())}</strong>
                </span>
            })}
            {move || live.board.with(|board| board.locked).then(|| view! {
                <span class="locked">{tr(lang.get_untracked(), "Tavolo bloccato", "Board locked")}</span>
            })}
        </p>
    }.into_any()
}

/// Whether the page is connected, in words (not colour alone), announced politely.
#[component]
pub fn LinkStatus() -> impl IntoView {
    let lang = use_lang();
    let live = use_live();
    view! {
        <p class="link-status" role="status" data-testid="link-status" data-link=move || match live.link.get() {
            Link::Online => "online",
            Link::Connecting => "connecting",
            Link::Offline => "offline",
        }>
            {move || match live.link.get() {
                Link::Online => tr(lang.get(), "Collegato", "Connected"),
                Link::Connecting => tr(lang.get(), "Collegamento in corso…", "Connecting…"),
                Link::Offline => tr(lang.get(), "Senza collegamento: i contributi restano in attesa e partiranno appena possibile", "Offline: contributions wait and will be sent as soon as possible"),
            }}
            {move || (live.online.get() > 0).then(|| view! {
                <span class="muted">{move || match lang.get() {
                    Lang::It => format!(" · {} in linea", live.online.get()),
                    Lang::En => format!(" · {} online", live.online.get()),
                }}</span>
            })}
        </p>
        {move || live.notice.get().map(|message| view! { <p class="alert" role="alert">{message}</p> })}
    }.into_any()
}
