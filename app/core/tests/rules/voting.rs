//! Dot voting: open, cast, retract, close, ballots shared by organisations.

use tavoli_core::{
    Actor, BallotUnit, Command, ContributionKind::*, DomainError, EventKind, Phase, RoundResult,
    RoundStatus,
};

use crate::support::*;

/// The room with three needs, 1, 2 and 3, and a fourth card, 4, withdrawn.
fn three_cards() -> Vec<Step> {
    let mut steps = the_room();
    steps.push(add(1, anna(), Need, "Spazi"));
    steps.push(add(2, marco(), Need, "Trasporti"));
    steps.push(add(3, gino(), Need, "Caregiver"));
    steps.push(add(4, gino(), Need, "Ritirato"));
    steps.push(by(
        gino(),
        Command::WithdrawContribution {
            contribution_id: id(4),
        },
    ));
    steps
}

/// Round 1 open on cards 1-3: three dots each, at most two per card.
fn round_open(ballot: BallotUnit) -> Vec<Step> {
    let mut steps = three_cards();
    steps.push(open_voting(&[1, 2, 3], 3, 2, ballot));
    steps
}

fn retract_command(round: u32, card: u128) -> Command {
    Command::RetractVote {
        round,
        contribution_id: id(card),
    }
}

#[test]
fn a_facilitator_opens_round_one() {
    let board = given(&three_cards())
        .when(
            facilitator(),
            Command::OpenVoting {
                contribution_ids: vec![id(1), id(2)],
                dots_per_voter: 3,
                max_per_contribution: 2,
                ballot: BallotUnit::Organisation,
                secret: true,
                hide_results: true,
                seconds: Some(600),
            },
        )
        .then(&[EventKind::VotingOpened {
            round: 1,
            contribution_ids: vec![id(1), id(2)],
            dots_per_voter: 3,
            max_per_contribution: 2,
            ballot: BallotUnit::Organisation,
            secret: true,
            hide_results: true,
            ends_at: Some(NOW + 600_000),
        }]);
    let round = board.open_round().unwrap();
    assert_eq!(round.status, RoundStatus::Open);
    assert_eq!(round.tally.get(&id(1)), Some(&0));
}

#[test]
fn rounds_are_numbered_and_one_is_open_at_a_time() {
    let room = given(&round_open(BallotUnit::Person));
    room.when(
        facilitator(),
        open_voting_command(&[1], 1, 1, BallotUnit::Person),
    )
    .then_error(DomainError::VotingAlreadyOpen);
    let mut steps = round_open(BallotUnit::Person);
    steps.push(by(facilitator(), Command::CloseVoting { round: 1 }));
    let events = given(&steps)
        .when(
            facilitator(),
            open_voting_command(&[1], 1, 1, BallotUnit::Person),
        )
        .events();
    assert!(matches!(
        events[0],
        EventKind::VotingOpened { round: 2, .. }
    ));
}

#[test]
fn voting_rules_must_make_sense() {
    let room = given(&three_cards());
    let cases = [
        (
            open_voting_command(&[1], 0, 1, BallotUnit::Person),
            DomainError::InvalidVotingRules,
        ),
        (
            open_voting_command(&[1], 21, 1, BallotUnit::Person),
            DomainError::InvalidVotingRules,
        ),
        (
            open_voting_command(&[1], 3, 0, BallotUnit::Person),
            DomainError::InvalidVotingRules,
        ),
        (
            open_voting_command(&[1], 3, 4, BallotUnit::Person),
            DomainError::InvalidVotingRules,
        ),
        (
            open_voting_command(&[], 3, 1, BallotUnit::Person),
            DomainError::EmptyRound,
        ),
        (
            open_voting_command(&[1, 1], 3, 1, BallotUnit::Person),
            DomainError::DuplicateIds,
        ),
        (
            open_voting_command(&[1, 9], 3, 1, BallotUnit::Person),
            DomainError::UnknownContribution,
        ),
        (
            open_voting_command(&[1, 4], 3, 1, BallotUnit::Person),
            DomainError::AlreadyWithdrawn,
        ),
    ];
    for (command, error) in cases {
        room.when(facilitator(), command).then_error(error);
    }
    room.when(
        facilitator(),
        open_voting_command(&[1], 20, 20, BallotUnit::Person),
    )
    .board();
    let mut timed = open_voting_command(&[1], 3, 1, BallotUnit::Person);
    if let Command::OpenVoting { seconds, .. } = &mut timed {
        *seconds = Some(0);
    }
    room.when(facilitator(), timed)
        .then_error(DomainError::InvalidTimer);
    room.when(anna(), open_voting_command(&[1], 3, 1, BallotUnit::Person))
        .then_error(DomainError::NotAllowed);
}

#[test]
fn a_participant_casts_a_dot_and_the_tally_moves() {
    let board = given(&round_open(BallotUnit::Person))
        .when(marco(), cast_command(1, 1))
        .then(&[EventKind::VoteCast {
            round: 1,
            contribution_id: id(1),
            participant_id: Some("marco".into()),
        }]);
    let round = board.round(1).unwrap();
    assert_eq!(round.tally.get(&id(1)), Some(&1));
    assert_eq!(round.voters, 1);
    assert_eq!(board.dots_left(1, "marco"), 2);
}

#[test]
fn the_stored_vote_of_a_secret_round_still_names_the_voter() {
    let mut steps = three_cards();
    let mut secret = open_voting_command(&[1, 2], 3, 2, BallotUnit::Person);
    if let Command::OpenVoting { secret: flag, .. } = &mut secret {
        *flag = true;
    }
    steps.push(by(facilitator(), secret));
    given(&steps)
        .when(marco(), cast_command(1, 2))
        .then(&[EventKind::VoteCast {
            round: 1,
            contribution_id: id(2),
            participant_id: Some("marco".into()),
        }]);
}

#[test]
fn a_ballot_holds_at_most_its_dots_and_the_per_card_maximum() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(cast(marco(), 1, 1));
    steps.push(cast(marco(), 1, 1));
    let two_on_one = given(&steps);
    two_on_one
        .when(marco(), cast_command(1, 1))
        .then_error(DomainError::MaxPerCardReached);
    steps.push(cast(marco(), 1, 2));
    given(&steps)
        .when(marco(), cast_command(1, 3))
        .then_error(DomainError::NoDotsLeft);
    assert_eq!(given(&steps).board.dots_left(1, "marco"), 0);
}

#[test]
fn members_of_one_organisation_share_a_ballot() {
    // Anna ("Auser") and Lucia (" auser ") are one ballot of three dots.
    let mut steps = round_open(BallotUnit::Organisation);
    steps.push(cast(anna(), 1, 1));
    steps.push(cast(lucia(), 1, 2));
    steps.push(cast(lucia(), 1, 3));
    let board = given(&steps).board;
    assert_eq!(board.dots_left(1, "anna"), 0);
    assert_eq!(
        board
            .ballot_key("lucia", BallotUnit::Organisation)
            .as_deref(),
        Some("org:auser")
    );
    assert_eq!(board.round(1).unwrap().voters, 1);
    given(&steps)
        .when(anna(), cast_command(1, 2))
        .then_error(DomainError::NoDotsLeft);
    // Marco's organisation has its own ballot.
    given(&steps).when(marco(), cast_command(1, 2)).board();
}

#[test]
fn the_per_card_maximum_applies_to_the_shared_ballot() {
    let mut steps = round_open(BallotUnit::Organisation);
    steps.push(cast(anna(), 1, 1));
    steps.push(cast(lucia(), 1, 1));
    given(&steps)
        .when(anna(), cast_command(1, 1))
        .then_error(DomainError::MaxPerCardReached);
}

#[test]
fn a_citizen_always_votes_alone() {
    let board = given(&round_open(BallotUnit::Organisation)).board;
    assert_eq!(
        board
            .ballot_key("gino", BallotUnit::Organisation)
            .as_deref(),
        Some("p:gino")
    );
    assert_eq!(
        board.ballot_key("anna", BallotUnit::Person).as_deref(),
        Some("p:anna")
    );
    assert_eq!(board.ballot_key("stranger", BallotUnit::Person), None);
}

#[test]
fn person_ballots_are_not_shared_by_colleagues() {
    let mut steps = round_open(BallotUnit::Person);
    for card in [1, 2, 3] {
        steps.push(cast(anna(), 1, card));
    }
    given(&steps).when(lucia(), cast_command(1, 1)).board();
}

#[test]
fn votes_need_an_open_round_and_a_card_of_it() {
    let room = given(&round_open(BallotUnit::Person));
    room.when(marco(), cast_command(2, 1))
        .then_error(DomainError::UnknownRound);
    room.when(marco(), cast_command(1, 4))
        .then_error(DomainError::NotInRound);
    room.when(marco(), cast_command(1, 99))
        .then_error(DomainError::NotInRound);
    let mut steps = round_open(BallotUnit::Person);
    steps.push(by(facilitator(), Command::CloseVoting { round: 1 }));
    given(&steps)
        .when(marco(), cast_command(1, 1))
        .then_error(DomainError::VotingClosed);
}

#[test]
fn a_timed_round_refuses_dots_once_its_time_is_up() {
    let mut steps = three_cards();
    let mut timed = open_voting_command(&[1], 3, 3, BallotUnit::Person);
    if let Command::OpenVoting { seconds, .. } = &mut timed {
        *seconds = Some(60);
    }
    steps.push(by(facilitator(), timed));
    let room = given(&steps);
    room.when_at(NOW + 59_999, marco(), cast_command(1, 1))
        .board();
    room.when_at(NOW + 60_000, marco(), cast_command(1, 1))
        .then_error(DomainError::VotingClosed);
}

#[test]
fn the_open_round_governs_not_the_phase() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(set_phase(Phase::Collect));
    steps.push(by(facilitator(), Command::LockBoard {}));
    given(&steps).when(marco(), cast_command(1, 1)).board();
}

#[test]
fn only_participants_who_joined_vote() {
    let room = given(&round_open(BallotUnit::Person));
    room.when(facilitator(), cast_command(1, 1))
        .then_error(DomainError::NotAParticipant);
    room.when(stranger(), cast_command(1, 1))
        .then_error(DomainError::NotAParticipant);
    room.when(observer(), cast_command(1, 1))
        .then_error(DomainError::NotAllowed);
}

#[test]
fn a_facilitator_who_also_joined_may_vote() {
    let mut facilitator_who_joined = facilitator();
    facilitator_who_joined.participant_id = Some("fabio".into());
    let mut steps = vec![join(
        Actor::participant("fabio"),
        "Comune",
        tavoli_core::OrganisationKind::Comune,
    )];
    steps.extend(round_open(BallotUnit::Person));
    given(&steps)
        .when(facilitator_who_joined, cast_command(1, 1))
        .board();
}

#[test]
fn a_member_takes_back_their_own_dot() {
    let mut steps = round_open(BallotUnit::Organisation);
    steps.push(cast(anna(), 1, 1));
    steps.push(cast(anna(), 1, 1));
    let board =
        given(&steps)
            .when(anna(), retract_command(1, 1))
            .then(&[EventKind::VoteRetracted {
                round: 1,
                contribution_id: id(1),
                participant_id: Some("anna".into()),
            }]);
    assert_eq!(board.round(1).unwrap().tally.get(&id(1)), Some(&1));
    assert_eq!(board.dots_left(1, "lucia"), 2);
}

#[test]
fn a_colleagues_dot_is_not_yours_to_take_back() {
    let mut steps = round_open(BallotUnit::Organisation);
    steps.push(cast(anna(), 1, 1));
    let room = given(&steps);
    room.when(lucia(), retract_command(1, 1))
        .then_error(DomainError::NoDotToRetract);
    room.when(anna(), retract_command(1, 2))
        .then_error(DomainError::NoDotToRetract);
}

#[test]
fn retracting_the_last_dot_drops_the_voter() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(cast(anna(), 1, 1));
    let board = given(&steps).when(anna(), retract_command(1, 1)).board();
    let round = board.round(1).unwrap();
    assert_eq!(round.voters, 0);
    assert_eq!(round.tally.get(&id(1)), Some(&0));
}

#[test]
fn dots_cannot_be_taken_back_after_closing() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(cast(anna(), 1, 1));
    steps.push(by(facilitator(), Command::CloseVoting { round: 1 }));
    given(&steps)
        .when(anna(), retract_command(1, 1))
        .then_error(DomainError::VotingClosed);
}

#[test]
fn closing_ranks_every_card_with_shared_ranks_for_ties() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(cast(anna(), 1, 2));
    steps.push(cast(marco(), 1, 3));
    let result = |card: u128, dots: u32, rank: u32| RoundResult {
        contribution_id: id(card),
        dots,
        rank,
    };
    let board = given(&steps)
        .when(facilitator(), Command::CloseVoting { round: 1 })
        .then(&[EventKind::VotingClosed {
            round: 1,
            results: vec![result(2, 1, 1), result(3, 1, 1), result(1, 0, 3)],
        }]);
    let round = board.round(1).unwrap();
    assert_eq!(round.status, RoundStatus::Closed);
    assert_eq!(round.results.len(), 3);
    assert!(board.open_round().is_none());
}

#[test]
fn a_round_closes_once() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(by(facilitator(), Command::CloseVoting { round: 1 }));
    given(&steps)
        .when(facilitator(), Command::CloseVoting { round: 1 })
        .then_error(DomainError::VotingClosed);
    given(&steps)
        .when(facilitator(), Command::CloseVoting { round: 5 })
        .then_error(DomainError::UnknownRound);
    given(&round_open(BallotUnit::Person))
        .when(anna(), Command::CloseVoting { round: 1 })
        .then_error(DomainError::NotAllowed);
}

#[test]
fn live_results_rank_an_open_round() {
    let mut steps = round_open(BallotUnit::Person);
    steps.push(cast(anna(), 1, 3));
    steps.push(cast(marco(), 1, 3));
    steps.push(cast(gino(), 1, 1));
    let board = given(&steps).board;
    let live = board.open_round().unwrap().live_results();
    let order: Vec<(String, u32, u32)> = live
        .into_iter()
        .map(|result| (result.contribution_id, result.dots, result.rank))
        .collect();
    assert_eq!(order, vec![(id(3), 2, 1), (id(1), 1, 2), (id(2), 0, 3)]);
    assert_eq!(board.round(1).unwrap().voters, 3);
}
