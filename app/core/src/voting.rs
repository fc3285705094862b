//! Rules for dot voting: open a round, cast and take back dots, close and rank.
//!
//! A ballot is a person's or, with `ballot: organisation`, shared by the members of one
//! organisation (a citizen always votes alone; see `Board::ballot_key`). One ballot holds at most
//! `dots_per_voter` dots and at most `max_per_contribution` on one card. A dot is taken back only
//! by the member who cast it. Cast and retract follow the open round, not the board's phase.

use crate::board::{Board, VotingRound, rank};
use crate::command::{Actor, Context};
use crate::decide::{active_participant, has_duplicates, live};
use crate::error::DomainError;
use crate::event::EventKind;
use crate::phase::ends_at;
use crate::vocabulary::BallotUnit;

/// Most dots one ballot may hold in a round.
pub const MAX_DOTS_PER_VOTER: u32 = 20;

/// The rules of a round as `open_voting` states them.
pub(crate) struct Rules<'c> {
    pub contribution_ids: &'c [String],
    pub dots_per_voter: u32,
    pub max_per_contribution: u32,
    pub ballot: BallotUnit,
    pub secret: bool,
    pub hide_results: bool,
    pub seconds: Option<u32>,
}

pub(crate) fn open(
    board: &Board,
    ctx: &Context,
    rules: Rules<'_>,
) -> Result<Vec<EventKind>, DomainError> {
    if !(1..=MAX_DOTS_PER_VOTER).contains(&rules.dots_per_voter)
        || !(1..=rules.dots_per_voter).contains(&rules.max_per_contribution)
    {
        return Err(DomainError::InvalidVotingRules);
    }
    if rules.contribution_ids.is_empty() {
        return Err(DomainError::EmptyRound);
    }
    if has_duplicates(rules.contribution_ids) {
        return Err(DomainError::DuplicateIds);
    }
    for contribution_id in rules.contribution_ids {
        live(board, contribution_id)?;
    }
    let ends_at = rules
        .seconds
        .map(|seconds| ends_at(ctx, seconds))
        .transpose()?;
    if board.open_round().is_some() {
        return Err(DomainError::VotingAlreadyOpen);
    }
    let round = u32::try_from(board.voting_rounds.len())
        .unwrap_or(u32::MAX)
        .saturating_add(1);
    Ok(vec![EventKind::VotingOpened {
        round,
        contribution_ids: rules.contribution_ids.to_vec(),
        dots_per_voter: rules.dots_per_voter,
        max_per_contribution: rules.max_per_contribution,
        ballot: rules.ballot,
        secret: rules.secret,
        hide_results: rules.hide_results,
        ends_at,
    }])
}

pub(crate) fn cast(
    board: &Board,
    actor: &Actor,
    ctx: &Context,
    round: u32,
    contribution_id: &str,
) -> Result<Vec<EventKind>, DomainError> {
    let (voting_round, participant_id) = voting_on(board, actor, ctx, round, contribution_id)?;
    let ballot_key = board
        .ballot_key(&participant_id, voting_round.ballot)
        .ok_or(DomainError::NotAParticipant)?;
    if voting_round.dots_of(&ballot_key) >= voting_round.dots_per_voter {
        return Err(DomainError::NoDotsLeft);
    }
    let on_this_card = voting_round.ballots.get(&ballot_key).map_or(0, |dots| {
        dots.iter()
            .filter(|dot| dot.contribution_id == contribution_id)
            .count()
    });
    if on_this_card >= voting_round.max_per_contribution as usize {
        return Err(DomainError::MaxPerCardReached);
    }
    Ok(vec![EventKind::VoteCast {
        round,
        contribution_id: contribution_id.to_owned(),
        participant_id: Some(participant_id),
    }])
}

pub(crate) fn retract(
    board: &Board,
    actor: &Actor,
    ctx: &Context,
    round: u32,
    contribution_id: &str,
) -> Result<Vec<EventKind>, DomainError> {
    let (voting_round, participant_id) = voting_on(board, actor, ctx, round, contribution_id)?;
    // Only the member's own dots count: a colleague's dot on the shared ballot is theirs to
    // take back, not this member's.
    let cast_by_this_member =
        voting_round.ballots.values().flatten().any(|dot| {
            dot.participant_id == participant_id && dot.contribution_id == contribution_id
        });
    if !cast_by_this_member {
        return Err(DomainError::NoDotToRetract);
    }
    Ok(vec![EventKind::VoteRetracted {
        round,
        contribution_id: contribution_id.to_owned(),
        participant_id: Some(participant_id),
    }])
}

/// Closes a round with its final ranking. A timed round whose time ran out still needs this
/// command (the server sends it when the time is up), so results are computed exactly once.
pub(crate) fn close(board: &Board, round: u32) -> Result<Vec<EventKind>, DomainError> {
    let voting_round = board.round(round).ok_or(DomainError::UnknownRound)?;
    if !voting_round.is_open() {
        return Err(DomainError::VotingClosed);
    }
    Ok(vec![EventKind::VotingClosed {
        round,
        results: rank(&voting_round.contribution_ids, &voting_round.tally),
    }])
}

/// The checks cast and retract share: a joined participant, an existing round that is open and
/// not past its time, and a card of that round.
fn voting_on<'b>(
    board: &'b Board,
    actor: &Actor,
    ctx: &Context,
    round: u32,
    contribution_id: &str,
) -> Result<(&'b VotingRound, String), DomainError> {
    let participant = active_participant(board, actor)?;
    let voting_round = board.round(round).ok_or(DomainError::UnknownRound)?;
    let past_its_time = voting_round
        .ends_at
        .is_some_and(|ends_at| ctx.now_ms >= ends_at);
    if !voting_round.is_open() || past_its_time {
        return Err(DomainError::VotingClosed);
    }
    if !voting_round
        .contribution_ids
        .iter()
        .any(|id| id == contribution_id)
    {
        return Err(DomainError::NotInRound);
    }
    Ok((voting_round, participant.participant_id.clone()))
}
