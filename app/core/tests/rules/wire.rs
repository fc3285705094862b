//! The JSON shapes API.md promises: scripts and the browser read these names.

use serde_json::json;
use tavoli_core::{
    Actor, BallotUnit, Command, CommandEnvelope, ContributionKind::*, Event, EventKind,
    OrganisationKind, Phase, PolicyArea, RoundResult,
};
use uuid::Uuid;

use crate::support::*;

fn every_command() -> Vec<Command> {
    let text = || "x".to_owned();
    vec![
        Command::AddContribution {
            kind: Need,
            text: text(),
            on_behalf_of: None,
        },
        Command::EditContribution {
            contribution_id: text(),
            text: text(),
        },
        Command::WithdrawContribution {
            contribution_id: text(),
        },
        Command::MoveContribution {
            contribution_id: text(),
            cluster_id: None,
        },
        Command::CreateCluster { title: text() },
        Command::RenameCluster {
            cluster_id: text(),
            title: text(),
        },
        Command::DeleteCluster { cluster_id: text() },
        Command::MergeContributions {
            contribution_ids: vec![],
            text: None,
        },
        Command::HideContribution {
            contribution_id: text(),
        },
        Command::RevealContribution {
            contribution_id: text(),
        },
        Command::TagContribution {
            contribution_id: text(),
            policy_areas: vec![],
            targets: vec![],
        },
        Command::SetPhase {
            phase: Phase::Group,
        },
        Command::StartTimer { seconds: 1 },
        Command::StopTimer {},
        Command::LockBoard {},
        Command::UnlockBoard {},
        Command::OpenMeeting { title: None },
        Command::CloseMeeting {},
        Command::Join {
            organisation: text(),
            organisation_kind: OrganisationKind::Aps,
        },
        Command::Leave {},
        Command::SetNotes { text: text() },
        open_voting_command(&[1], 1, 1, BallotUnit::Person),
        Command::CastVote {
            round: 1,
            contribution_id: text(),
        },
        Command::RetractVote {
            round: 1,
            contribution_id: text(),
        },
        Command::CloseVoting { round: 1 },
    ]
}

fn every_event() -> Vec<EventKind> {
    let text = || "x".to_owned();
    vec![
        EventKind::ContributionAdded {
            contribution_id: text(),
            kind: Need,
            text: text(),
            author: None,
            on_behalf_of: None,
        },
        EventKind::ContributionEdited {
            contribution_id: text(),
            text: text(),
            previous_text: text(),
        },
        EventKind::ContributionWithdrawn {
            contribution_id: text(),
        },
        EventKind::ContributionMoved {
            contribution_id: text(),
            cluster_id: None,
        },
        EventKind::ClusterCreated {
            cluster_id: text(),
            title: text(),
        },
        EventKind::ClusterRenamed {
            cluster_id: text(),
            title: text(),
        },
        EventKind::ClusterDeleted { cluster_id: text() },
        EventKind::ContributionsMerged {
            contribution_id: text(),
            kind: Need,
            text: text(),
            sources: vec![],
            cluster_id: None,
        },
        EventKind::ContributionHidden {
            contribution_id: text(),
        },
        EventKind::ContributionRevealed {
            contribution_id: text(),
        },
        EventKind::ContributionTagged {
            contribution_id: text(),
            policy_areas: vec![PolicyArea::parse("A").unwrap()],
            targets: vec![],
        },
        EventKind::PhaseSet { phase: Phase::Vote },
        EventKind::TimerStarted {
            ends_at: 1,
            seconds: 1,
        },
        EventKind::TimerStopped {},
        EventKind::BoardLocked {},
        EventKind::BoardUnlocked {},
        EventKind::MeetingOpened {
            meeting_id: text(),
            title: None,
            opened_at: 1,
        },
        EventKind::MeetingClosed {
            meeting_id: text(),
            closed_at: 1,
        },
        EventKind::ParticipantJoined {
            participant_id: text(),
            organisation: text(),
            organisation_kind: OrganisationKind::Cittadino,
        },
        EventKind::AttendanceRecorded {
            participant_id: text(),
            meeting_id: text(),
        },
        EventKind::ParticipantLeft {
            participant_id: text(),
        },
        EventKind::NotesSet { text: text() },
        EventKind::VotingOpened {
            round: 1,
            contribution_ids: vec![],
            dots_per_voter: 1,
            max_per_contribution: 1,
            ballot: BallotUnit::Organisation,
            secret: false,
            hide_results: false,
            ends_at: None,
        },
        EventKind::VoteCast {
            round: 1,
            contribution_id: text(),
            participant_id: None,
        },
        EventKind::VoteRetracted {
            round: 1,
            contribution_id: text(),
            participant_id: None,
        },
        EventKind::VotingClosed {
            round: 1,
            results: vec![],
        },
    ]
}

#[test]
fn every_command_type_name_is_its_wire_tag_and_is_listed() {
    let commands = every_command();
    assert_eq!(commands.len(), Command::TYPE_NAMES.len());
    for (command, listed) in commands.into_iter().zip(Command::TYPE_NAMES) {
        let envelope = CommandEnvelope {
            command_id: Uuid::from_u128(1),
            command,
        };
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["type"], envelope.command.type_name());
        assert_eq!(envelope.command.type_name(), *listed);
        assert_eq!(
            serde_json::from_value::<CommandEnvelope>(json).unwrap(),
            envelope
        );
    }
}

#[test]
fn every_event_type_name_is_its_wire_tag_and_is_listed() {
    let kinds = every_event();
    assert_eq!(kinds.len(), EventKind::TYPE_NAMES.len());
    for (kind, listed) in kinds.into_iter().zip(EventKind::TYPE_NAMES) {
        let event = Event {
            seq: 3,
            command_id: Some(Uuid::from_u128(1)),
            actor: Some(Actor::participant("anna")),
            at: NOW,
            v: 1,
            kind,
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], event.kind.type_name());
        assert_eq!(event.kind.type_name(), *listed);
        assert_eq!(serde_json::from_value::<Event>(json).unwrap(), event);
    }
}

#[test]
fn a_contribution_added_event_has_the_api_md_fields() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "Mancano spazi per i giovani"));
    let scenario = given(&steps);
    let json = serde_json::to_value(scenario.log.last().unwrap()).unwrap();
    assert_eq!(json["seq"], 5);
    assert_eq!(json["type"], "contribution_added");
    assert_eq!(json["command_id"], id(1));
    assert_eq!(json["contribution_id"], id(1));
    assert_eq!(json["kind"], "need");
    assert_eq!(json["text"], "Mancano spazi per i giovani");
    assert_eq!(json["at"], NOW);
    assert_eq!(json["v"], 1);
    assert_eq!(json["actor"]["role"], "participant");
}

#[test]
fn a_voting_closed_event_lists_results_with_ranks() {
    let event = EventKind::VotingClosed {
        round: 1,
        results: vec![RoundResult {
            contribution_id: "a".into(),
            dots: 2,
            rank: 1,
        }],
    };
    assert_eq!(
        serde_json::to_value(&event).unwrap(),
        json!({"type": "voting_closed", "round": 1, "results": [{"contribution_id": "a", "dots": 2, "rank": 1}]})
    );
}

#[test]
fn the_board_has_the_api_md_fields() {
    let mut steps = the_room();
    steps.push(create_cluster(50, "Giovani"));
    steps.push(add(1, anna(), Need, "Spazi"));
    steps.push(by(
        facilitator(),
        Command::MoveContribution {
            contribution_id: id(1),
            cluster_id: Some(id(50)),
        },
    ));
    steps.push(open_voting(&[1], 3, 3, BallotUnit::Person));
    steps.push(cast(anna(), 1, 1));
    steps.push(by(facilitator(), Command::CloseVoting { round: 1 }));
    let board = given(&steps).board;
    let json = serde_json::to_value(&board).unwrap();
    assert_eq!(json["seq"], 10);
    assert_eq!(json["phase"], "collect");
    let card = &json["contributions"][0];
    assert_eq!(card["contribution_id"], id(1));
    assert_eq!(card["kind"], "need");
    assert_eq!(card["text"], "Spazi");
    assert_eq!(card["cluster_id"], id(50));
    assert_eq!(card["status"], "live");
    assert_eq!(
        json["clusters"][0],
        json!({"cluster_id": id(50), "title": "Giovani"})
    );
    let round = &json["voting_rounds"][0];
    assert_eq!(round["round"], 1);
    assert_eq!(round["status"], "closed");
    assert_eq!(round["results"][0]["contribution_id"], id(1));
    assert_eq!(round["results"][0]["dots"], 1);
    assert_eq!(round["ballot"], "person");
    let back: tavoli_core::Board = serde_json::from_value(json).unwrap();
    assert_eq!(back, board);
}

#[test]
fn a_stored_event_without_command_or_actor_still_parses() {
    let json = json!({"seq": 1, "type": "phase_set", "phase": "synthesis", "at": 5, "v": 1});
    let event: Event = serde_json::from_value(json).unwrap();
    assert_eq!(
        event.kind,
        EventKind::PhaseSet {
            phase: Phase::Synthesis
        }
    );
    assert_eq!(event.command_id, None);
}
