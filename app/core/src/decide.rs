//! `decide`: every business rule, in one pure function that either refuses a command or says
//! which events it produces. It delegates to one file per command family and shares here the
//! checks several families need.

use crate::board::{Board, Contribution, ContributionStatus, ParticipantInfo};
use crate::command::{Actor, Command, Context};
use crate::error::DomainError;
use crate::event::EventKind;
use crate::permission;
use crate::{cluster, contribution, meeting, phase, voting};

/// Decides `command`, sent by `actor`, against `board`. On success the events are never empty,
/// so the server always has a seq to acknowledge; a refused command changes nothing.
pub fn decide(
    board: &Board,
    actor: &Actor,
    command: &Command,
    ctx: &Context,
) -> Result<Vec<EventKind>, DomainError> {
    if !permission::may_decide(actor.role, command) {
        return Err(DomainError::NotAllowed);
    }
    match command {
        Command::AddContribution {
            kind,
            text,
            on_behalf_of,
        } => contribution::add(board, actor, ctx, *kind, text, on_behalf_of.as_deref()),
        Command::EditContribution {
            contribution_id,
            text,
        } => contribution::edit(board, actor, contribution_id, text),
        Command::WithdrawContribution { contribution_id } => {
            contribution::withdraw(board, actor, contribution_id)
        }
        Command::HideContribution { contribution_id } => {
            contribution::hide(board, contribution_id, true)
        }
        Command::RevealContribution { contribution_id } => {
            contribution::hide(board, contribution_id, false)
        }
        Command::TagContribution {
            contribution_id,
            policy_areas,
            targets,
        } => contribution::tag(board, contribution_id, policy_areas, targets),
        Command::MergeContributions {
            contribution_ids,
            text,
        } => contribution::merge(board, ctx, contribution_ids, text.as_deref()),
        Command::MoveContribution {
            contribution_id,
            cluster_id,
        } => cluster::move_contribution(board, contribution_id, cluster_id.as_deref()),
        Command::CreateCluster { title } => cluster::create(ctx, title),
        Command::RenameCluster { cluster_id, title } => cluster::rename(board, cluster_id, title),
        Command::DeleteCluster { cluster_id } => cluster::delete(board, cluster_id),
        Command::SetPhase { phase } => phase::set_phase(*phase),
        Command::StartTimer { seconds } => phase::start_timer(ctx, *seconds),
        Command::StopTimer {} => phase::stop_timer(),
        Command::LockBoard {} => phase::lock(true),
        Command::UnlockBoard {} => phase::lock(false),
        Command::SetNotes { text } => phase::set_notes(text),
        Command::OpenMeeting { title } => meeting::open(board, ctx, title.as_deref()),
        Command::CloseMeeting {} => meeting::close(board, ctx),
        Command::Join {
            organisation,
            organisation_kind,
        } => meeting::join(board, actor, organisation, *organisation_kind),
        Command::Leave {} => meeting::leave(board, actor),
        Command::OpenVoting {
            contribution_ids,
            dots_per_voter,
            max_per_contribution,
            ballot,
            secret,
            hide_results,
            seconds,
        } => voting::open(
            board,
            ctx,
            voting::Rules {
                contribution_ids,
                dots_per_voter: *dots_per_voter,
                max_per_contribution: *max_per_contribution,
                ballot: *ballot,
                secret: *secret,
                hide_results: *hide_results,
                seconds: *seconds,
            },
        ),
        Command::CastVote {
            round,
            contribution_id,
        } => voting::cast(board, actor, ctx, *round, contribution_id),
        Command::RetractVote {
            round,
            contribution_id,
        } => voting::retract(board, actor, ctx, *round, contribution_id),
        Command::CloseVoting { round } => voting::close(board, *round),
    }
}

/// The actor as a participant who joined this board and has not left.
pub(crate) fn active_participant<'b>(
    board: &'b Board,
    actor: &Actor,
) -> Result<&'b ParticipantInfo, DomainError> {
    actor
        .participant_id
        .as_deref()
        .and_then(|participant_id| board.active_participant(participant_id))
        .ok_or(DomainError::NotAParticipant)
}

/// A card that exists, whatever its status.
pub(crate) fn existing<'b>(
    board: &'b Board,
    contribution_id: &str,
) -> Result<&'b Contribution, DomainError> {
    board
        .contribution(contribution_id)
        .ok_or(DomainError::UnknownContribution)
}

/// A card that exists and is neither withdrawn nor merged.
pub(crate) fn live<'b>(
    board: &'b Board,
    contribution_id: &str,
) -> Result<&'b Contribution, DomainError> {
    let contribution = existing(board, contribution_id)?;
    match contribution.status {
        ContributionStatus::Live => Ok(contribution),
        ContributionStatus::Withdrawn => Err(DomainError::AlreadyWithdrawn),
        ContributionStatus::Merged => Err(DomainError::AlreadyMerged),
    }
}

/// Refuses to make a card disappear while people are voting on it: their dots would vanish.
pub(crate) fn not_in_open_round(board: &Board, contribution_id: &str) -> Result<(), DomainError> {
    match board.open_round() {
        Some(round)
            if round
                .contribution_ids
                .iter()
                .any(|id| id == contribution_id) =>
        {
            Err(DomainError::InOpenRound)
        }
        _ => Ok(()),
    }
}

/// Whether a list of ids names any id twice.
pub(crate) fn has_duplicates(ids: &[String]) -> bool {
    let mut seen = std::collections::BTreeSet::new();
    ids.iter().any(|id| !seen.insert(id.as_str()))
}
