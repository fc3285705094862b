//! Rules for running the session: phase, timer, lock and synthesis notes. Only facilitators and
//! the planning office get here. Any phase may follow any other: a facilitator may go back to
//! collect if the room remembers something late.

use crate::command::Context;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::text::parse_notes;
use crate::vocabulary::Phase;

/// Longest timer, and longest timed voting round: two hours covers any real session.
pub const MAX_TIMER_SECONDS: u32 = 7200;

pub(crate) fn set_phase(phase: Phase) -> Result<Vec<EventKind>, DomainError> {
    Ok(vec![EventKind::PhaseSet { phase }])
}

pub(crate) fn start_timer(ctx: &Context, seconds: u32) -> Result<Vec<EventKind>, DomainError> {
    Ok(vec![EventKind::TimerStarted {
        ends_at: ends_at(ctx, seconds)?,
        seconds,
    }])
}

pub(crate) fn stop_timer() -> Result<Vec<EventKind>, DomainError> {
    Ok(vec![EventKind::TimerStopped {}])
}

pub(crate) fn lock(locked: bool) -> Result<Vec<EventKind>, DomainError> {
    Ok(vec![if locked {
        EventKind::BoardLocked {}
    } else {
        EventKind::BoardUnlocked {}
    }])
}

pub(crate) fn set_notes(text: &str) -> Result<Vec<EventKind>, DomainError> {
    Ok(vec![EventKind::NotesSet {
        text: parse_notes(text)?,
    }])
}

/// When a countdown of `seconds` started now ends, on the server's clock.
pub(crate) fn ends_at(ctx: &Context, seconds: u32) -> Result<i64, DomainError> {
    if !(1..=MAX_TIMER_SECONDS).contains(&seconds) {
        return Err(DomainError::InvalidTimer);
    }
    Ok(ctx.now_ms.saturating_add(i64::from(seconds) * 1000))
}
