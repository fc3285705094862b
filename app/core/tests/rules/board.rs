//! The reducer and the public views: apply is total, and nothing private leaks.

use tavoli_core::{
    Actor, BallotUnit, Board, Command, ContributionKind::*, Event, EventKind, Role, apply,
};

use crate::support::*;

fn event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        command_id: None,
        actor: None,
        at: NOW,
        v: 1,
        kind,
    }
}

#[test]
fn apply_ignores_events_about_unknown_things_but_takes_their_seq() {
    let mut board = Board::default();
    let strays = [
        EventKind::ContributionEdited {
            contribution_id: "nope".into(),
            text: "x".into(),
            previous_text: "y".into(),
        },
        EventKind::ContributionMoved {
            contribution_id: "nope".into(),
            cluster_id: Some("nope".into()),
        },
        EventKind::ClusterRenamed {
            cluster_id: "nope".into(),
            title: "x".into(),
        },
        EventKind::VoteCast {
            round: 3,
            contribution_id: "nope".into(),
            participant_id: Some("nobody".into()),
        },
        EventKind::VoteRetracted {
            round: 3,
            contribution_id: "nope".into(),
            participant_id: None,
        },
        EventKind::VotingClosed {
            round: 3,
            results: vec![],
        },
        EventKind::AttendanceRecorded {
            participant_id: "nobody".into(),
            meeting_id: "nope".into(),
        },
        EventKind::MeetingClosed {
            meeting_id: "nope".into(),
            closed_at: 0,
        },
        EventKind::ParticipantLeft {
            participant_id: "nobody".into(),
        },
    ];
    for (index, kind) in strays.into_iter().enumerate() {
        apply(&mut board, &event(index as u64 + 1, kind));
    }
    assert_eq!(board.seq, 9);
    assert_eq!(
        board,
        Board {
            seq: 9,
            ..Board::default()
        }
    );
}

#[test]
fn a_card_moved_into_a_missing_cluster_stays_where_it_was() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    let mut board = given(&steps).board;
    apply(
        &mut board,
        &event(
            100,
            EventKind::ContributionMoved {
                contribution_id: id(1),
                cluster_id: Some("ghost".into()),
            },
        ),
    );
    assert_eq!(board.contribution(&id(1)).unwrap().cluster_id, None);
}

#[test]
fn a_repeated_creation_event_does_not_duplicate_the_card() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    let scenario = given(&steps);
    let mut board = scenario.board.clone();
    let mut again = scenario.log.last().unwrap().clone();
    again.seq += 1;
    apply(&mut board, &again);
    assert_eq!(board.contributions.len(), 1);
}

#[test]
fn a_voter_less_vote_moves_only_the_tally() {
    // This is how a browser applies the public view of a secret round.
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(open_voting(&[1], 3, 3, BallotUnit::Person));
    let mut board = given(&steps).board;
    apply(
        &mut board,
        &event(
            100,
            EventKind::VoteCast {
                round: 1,
                contribution_id: id(1),
                participant_id: None,
            },
        ),
    );
    let round = board.round(1).unwrap();
    assert_eq!(round.tally.get(&id(1)), Some(&1));
    assert!(round.ballots.is_empty());
}

fn secret_round_with_dots(hide_results: bool) -> Scenario {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(
        facilitator(),
        Command::OpenVoting {
            contribution_ids: vec![id(1)],
            dots_per_voter: 3,
            max_per_contribution: 3,
            ballot: BallotUnit::Person,
            secret: true,
            hide_results,
            seconds: None,
        },
    ));
    steps.push(cast(marco(), 1, 1));
    given(&steps)
}

#[test]
fn the_public_board_hides_who_voted_in_a_secret_round_but_keeps_the_count() {
    let board = secret_round_with_dots(false).board;
    let public = board.public_view(false);
    let round = public.round(1).unwrap();
    assert!(round.ballots.is_empty());
    assert_eq!(round.tally.get(&id(1)), Some(&1));
    assert_eq!(round.voters, 1);
    assert!(
        !board.round(1).unwrap().ballots.is_empty(),
        "the server keeps them"
    );
}

#[test]
fn hidden_results_stay_hidden_until_the_round_closes() {
    let scenario = secret_round_with_dots(true);
    let public = scenario.board.public_view(false);
    assert!(public.round(1).unwrap().tally.is_empty());
    assert_eq!(public.round(1).unwrap().live_results()[0].dots, 0);
    let closed = scenario
        .when(facilitator(), Command::CloseVoting { round: 1 })
        .board()
        .public_view(false);
    assert_eq!(closed.round(1).unwrap().results[0].dots, 1);
}

#[test]
fn an_anonymous_board_names_no_author() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(by(
        anna(),
        Command::EditContribution {
            contribution_id: id(1),
            text: "y".into(),
        },
    ));
    steps.push(numbered(
        2,
        facilitator(),
        Command::AddContribution {
            kind: Resource,
            text: "z".into(),
            on_behalf_of: Some("Maria".into()),
        },
    ));
    let board = given(&steps).board;
    let public = board.public_view(true);
    for card in &public.contributions {
        assert_eq!(card.author, None);
        assert_eq!(card.on_behalf_of, None);
        assert!(card.edits.iter().all(|edit| edit.by.is_none()));
    }
    assert_eq!(
        board
            .public_view(false)
            .contribution(&id(1))
            .unwrap()
            .author
            .as_deref(),
        Some("anna")
    );
}

#[test]
fn a_public_vote_event_of_a_secret_round_names_nobody() {
    let scenario = secret_round_with_dots(false);
    let vote = scenario.log.last().unwrap();
    assert!(vote.actor.is_some());
    let public = vote.public_view(true, false);
    assert_eq!(public.actor, None);
    assert!(matches!(
        public.kind,
        EventKind::VoteCast {
            participant_id: None,
            ..
        }
    ));
    assert_eq!(vote.public_view_on(&scenario.board, false), public);
}

#[test]
fn a_public_vote_event_of_an_open_round_keeps_the_voter() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(open_voting(&[1], 3, 3, BallotUnit::Person));
    steps.push(cast(marco(), 1, 1));
    let scenario = given(&steps);
    let vote = scenario.log.last().unwrap();
    assert_eq!(&vote.public_view_on(&scenario.board, false), vote);
}

#[test]
fn an_anonymous_event_names_no_author_or_actor() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    let scenario = given(&steps);
    let added = scenario.log.last().unwrap().public_view(false, true);
    assert_eq!(added.actor, None);
    assert!(matches!(
        added.kind,
        EventKind::ContributionAdded {
            author: None,
            on_behalf_of: None,
            ..
        }
    ));
}

#[test]
fn a_board_is_rebuilt_from_its_log() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    steps.push(open_voting(&[1], 3, 3, BallotUnit::Organisation));
    steps.push(cast(lucia(), 1, 1));
    let scenario = given(&steps);
    assert_eq!(Board::from_events(&scenario.log), scenario.board);
    assert_eq!(scenario.board.seq, scenario.log.len() as u64);
}

#[test]
fn an_edit_without_an_actor_is_traced_as_nobody() {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "x"));
    let mut board = given(&steps).board;
    apply(
        &mut board,
        &event(
            100,
            EventKind::ContributionEdited {
                contribution_id: id(1),
                text: "y".into(),
                previous_text: "x".into(),
            },
        ),
    );
    let staff = Actor::staff(Role::Facilitator, "u");
    assert_eq!(staff.trace_id().as_deref(), Some("u"));
    assert_eq!(board.contribution(&id(1)).unwrap().edits[0].by, None);
}
