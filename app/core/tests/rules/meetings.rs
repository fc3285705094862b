//! Meetings and people: open and close meetings, join, leave, attendance.

use tavoli_core::{
    Actor, Command, ContributionKind::*, DomainError, EventKind, OrganisationKind, Role,
};

use crate::support::*;

fn open_meeting(n: u128) -> Step {
    numbered(
        n,
        facilitator(),
        Command::OpenMeeting {
            title: Some("Primo incontro".into()),
        },
    )
}

fn join_command(organisation: &str, kind: OrganisationKind) -> Command {
    Command::Join {
        organisation: organisation.into(),
        organisation_kind: kind,
    }
}

#[test]
fn a_facilitator_opens_a_meeting_whose_id_is_the_command_id() {
    let board = given(&[])
        .when(
            facilitator(),
            Command::OpenMeeting {
                title: Some(" Primo incontro ".into()),
            },
        )
        .then(&[EventKind::MeetingOpened {
            meeting_id: id(WHEN_ID),
            title: Some("Primo incontro".into()),
            opened_at: NOW,
        }]);
    assert!(board.open_meeting().is_some());
    let events = given(&[])
        .when(
            facilitator(),
            Command::OpenMeeting {
                title: Some("  ".into()),
            },
        )
        .events();
    assert!(matches!(
        &events[0],
        EventKind::MeetingOpened { title: None, .. }
    ));
}

#[test]
fn only_one_meeting_is_open_at_a_time() {
    given(&[open_meeting(70)])
        .when(facilitator(), Command::OpenMeeting { title: None })
        .then_error(DomainError::MeetingAlreadyOpen);
}

#[test]
fn closing_a_meeting_records_when() {
    let board = given(&[open_meeting(70)])
        .when_at(NOW + 5_000, facilitator(), Command::CloseMeeting {})
        .then(&[EventKind::MeetingClosed {
            meeting_id: id(70),
            closed_at: NOW + 5_000,
        }]);
    assert_eq!(board.meetings[0].closed_at, Some(NOW + 5_000));
    assert!(board.open_meeting().is_none());
    given(&[])
        .when(facilitator(), Command::CloseMeeting {})
        .then_error(DomainError::NoOpenMeeting);
    given(&the_room())
        .when(anna(), Command::CloseMeeting {})
        .then_error(DomainError::NotAllowed);
}

#[test]
fn joining_during_a_meeting_records_attendance() {
    let board = given(&[open_meeting(70)])
        .when(anna(), join_command(" Auser ", OrganisationKind::Odv))
        .then(&[
            EventKind::ParticipantJoined {
                participant_id: "anna".into(),
                organisation: "Auser".into(),
                organisation_kind: OrganisationKind::Odv,
            },
            EventKind::AttendanceRecorded {
                participant_id: "anna".into(),
                meeting_id: id(70),
            },
        ]);
    assert_eq!(board.meetings[0].attendance, vec!["anna"]);
    let anna_info = board.participant("anna").unwrap();
    assert!(anna_info.present);
    assert!(!anna_info.left);
}

#[test]
fn joining_with_no_meeting_open_only_registers() {
    let board = given(&[])
        .when(anna(), join_command("Auser", OrganisationKind::Odv))
        .then(&[EventKind::ParticipantJoined {
            participant_id: "anna".into(),
            organisation: "Auser".into(),
            organisation_kind: OrganisationKind::Odv,
        }]);
    assert!(!board.participant("anna").unwrap().present);
}

#[test]
fn rejoining_records_attendance_once_per_meeting() {
    let steps = [
        open_meeting(70),
        join(anna(), "Auser", OrganisationKind::Odv),
    ];
    let events = given(&steps)
        .when(anna(), join_command("Auser", OrganisationKind::Odv))
        .events();
    assert_eq!(events.len(), 1, "already present: no second attendance");
    let steps = [
        open_meeting(70),
        join(anna(), "Auser", OrganisationKind::Odv),
        by(facilitator(), Command::CloseMeeting {}),
        open_meeting(71),
    ];
    let board = given(&steps)
        .when(anna(), join_command("Auser", OrganisationKind::Odv))
        .board();
    assert_eq!(board.meetings[1].attendance, vec!["anna"]);
    assert_eq!(board.meetings[0].attendance, vec!["anna"]);
}

#[test]
fn presence_is_per_open_meeting() {
    let steps = [
        open_meeting(70),
        join(anna(), "Auser", OrganisationKind::Odv),
    ];
    let board = given(&steps)
        .when(facilitator(), Command::CloseMeeting {})
        .board();
    assert!(!board.participant("anna").unwrap().present);
}

#[test]
fn the_organisation_is_required_except_for_citizens() {
    let room = given(&[]);
    room.when(anna(), join_command("  ", OrganisationKind::Aps))
        .then_error(DomainError::EmptyOrganisation);
    room.when(gino(), join_command("", OrganisationKind::Cittadino))
        .board();
    room.when(
        anna(),
        join_command(&"x".repeat(201), OrganisationKind::Aps),
    )
    .then_error(DomainError::NameTooLong { max: 200 });
}

#[test]
fn join_is_for_participants_only() {
    given(&[])
        .when(
            facilitator(),
            join_command("Comune", OrganisationKind::Comune),
        )
        .then_error(DomainError::NotAllowed);
    let nobody = Actor {
        role: Role::Participant,
        participant_id: None,
        user_id: None,
    };
    given(&[])
        .when(nobody, join_command("Auser", OrganisationKind::Odv))
        .then_error(DomainError::NotAParticipant);
}

#[test]
fn a_participant_leaves_and_may_come_back() {
    let room = given(&the_room());
    let board = room
        .when(anna(), Command::Leave {})
        .then(&[EventKind::ParticipantLeft {
            participant_id: "anna".into(),
        }]);
    assert!(board.participant("anna").unwrap().left);
    let mut steps = the_room();
    steps.push(by(anna(), Command::Leave {}));
    let after_leaving = given(&steps);
    after_leaving
        .when(anna(), Command::Leave {})
        .then_error(DomainError::NotAParticipant);
    let back = after_leaving
        .when(anna(), join_command("Auser", OrganisationKind::Odv))
        .scenario_after();
    back.when(anna(), add_command(Need, "Sono tornata")).board();
    room.when(facilitator(), Command::Leave {})
        .then_error(DomainError::NotAllowed);
}

#[test]
fn rejoining_updates_the_organisation() {
    let board = given(&the_room())
        .when(
            marco(),
            join_command("Caritas Ambrosiana", OrganisationKind::Odv),
        )
        .board();
    let marco_info = board.participant("marco").unwrap();
    assert_eq!(marco_info.organisation, "Caritas Ambrosiana");
    assert_eq!(marco_info.organisation_kind, OrganisationKind::Odv);
    assert_eq!(board.participants.len(), 4);
}
