//! Running the session: phase, timer, lock and notes.

use tavoli_core::{Command, DomainError, EventKind, MAX_CONTRIBUTION_CHARS, Phase, Timer};

use crate::support::*;

#[test]
fn facilitators_and_the_planning_office_set_the_phase_in_any_order() {
    let board = given(&[])
        .when(facilitator(), Command::SetPhase { phase: Phase::Vote })
        .then(&[EventKind::PhaseSet { phase: Phase::Vote }]);
    assert_eq!(board.phase, Phase::Vote);
    let board = given(&[set_phase(Phase::Synthesis)])
        .when(
            planning_office(),
            Command::SetPhase {
                phase: Phase::Collect,
            },
        )
        .board();
    assert_eq!(board.phase, Phase::Collect);
}

#[test]
fn a_new_board_collects() {
    assert_eq!(given(&[]).board.phase, Phase::Collect);
}

#[test]
fn participants_and_observers_do_not_set_the_phase() {
    let room = given(&the_room());
    for actor in [anna(), observer()] {
        room.when(actor, Command::SetPhase { phase: Phase::Vote })
            .then_error(DomainError::NotAllowed);
    }
}

#[test]
fn a_timer_ends_on_the_servers_clock() {
    let board = given(&[])
        .when(facilitator(), Command::StartTimer { seconds: 300 })
        .then(&[EventKind::TimerStarted {
            ends_at: NOW + 300_000,
            seconds: 300,
        }]);
    assert_eq!(
        board.timer,
        Some(Timer {
            ends_at: NOW + 300_000,
            seconds: 300
        })
    );
}

#[test]
fn a_timer_lasts_one_second_to_two_hours() {
    let room = given(&[]);
    for seconds in [0, 7201, u32::MAX] {
        room.when(facilitator(), Command::StartTimer { seconds })
            .then_error(DomainError::InvalidTimer);
    }
    room.when(facilitator(), Command::StartTimer { seconds: 7200 })
        .board();
    room.when(facilitator(), Command::StartTimer { seconds: 1 })
        .board();
}

#[test]
fn stopping_the_timer_clears_it() {
    let board = given(&[by(facilitator(), Command::StartTimer { seconds: 60 })])
        .when(facilitator(), Command::StopTimer {})
        .then(&[EventKind::TimerStopped {}]);
    assert_eq!(board.timer, None);
}

#[test]
fn the_board_locks_and_unlocks() {
    let board = given(&[])
        .when(facilitator(), Command::LockBoard {})
        .then(&[EventKind::BoardLocked {}]);
    assert!(board.locked);
    let board = given(&[by(facilitator(), Command::LockBoard {})])
        .when(facilitator(), Command::UnlockBoard {})
        .then(&[EventKind::BoardUnlocked {}]);
    assert!(!board.locked);
    given(&the_room())
        .when(anna(), Command::LockBoard {})
        .then_error(DomainError::NotAllowed);
}

#[test]
fn synthesis_notes_may_be_cleared_but_not_overlong() {
    let board = given(&[])
        .when(
            facilitator(),
            Command::SetNotes {
                text: " Priorità: spazi per i giovani. ".into(),
            },
        )
        .board();
    assert_eq!(board.notes, "Priorità: spazi per i giovani.");
    given(&[])
        .when(facilitator(), Command::SetNotes { text: "".into() })
        .then(&[EventKind::NotesSet { text: "".into() }]);
    given(&[])
        .when(
            facilitator(),
            Command::SetNotes {
                text: "a".repeat(MAX_CONTRIBUTION_CHARS + 1),
            },
        )
        .then_error(DomainError::TextTooLong {
            max: MAX_CONTRIBUTION_CHARS,
        });
    given(&the_room())
        .when(anna(), Command::SetNotes { text: "x".into() })
        .then_error(DomainError::NotAllowed);
}
