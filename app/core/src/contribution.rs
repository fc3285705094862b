//! Rules for cards: add, edit, withdraw, hide, tag and merge.
//!
//! Participants work on their own cards, in the collect phase, while the board is unlocked.
//! Facilitators and the planning office may add in collect and group (typing for people without
//! a device) and edit or withdraw any card at any time; every edit keeps the previous text.

use crate::board::Board;
use crate::command::{Actor, Context};
use crate::decide::{active_participant, existing, has_duplicates, live, not_in_open_round};
use crate::error::DomainError;
use crate::event::EventKind;
use crate::ids::entity_id;
use crate::policy_area::PolicyArea;
use crate::text::{ContributionText, parse_optional_name, parse_targets};
use crate::vocabulary::{ContributionKind, Phase};

pub(crate) fn add(
    board: &Board,
    actor: &Actor,
    ctx: &Context,
    kind: ContributionKind,
    text: &str,
    on_behalf_of: Option<&str>,
) -> Result<Vec<EventKind>, DomainError> {
    if actor.role.moderates() {
        if !matches!(board.phase, Phase::Collect | Phase::Group) {
            return Err(DomainError::PhaseClosed);
        }
    } else {
        active_participant(board, actor)?;
        participant_may_change_cards(board)?;
    }
    let text = ContributionText::parse(text)?;
    let on_behalf_of = parse_optional_name(on_behalf_of)?;
    Ok(vec![EventKind::ContributionAdded {
        contribution_id: entity_id(ctx.command_id),
        kind,
        text: text.into_string(),
        author: actor.participant_id.clone(),
        on_behalf_of,
    }])
}

pub(crate) fn edit(
    board: &Board,
    actor: &Actor,
    contribution_id: &str,
    text: &str,
) -> Result<Vec<EventKind>, DomainError> {
    let text = ContributionText::parse(text)?;
    let contribution = live(board, contribution_id)?;
    if !actor.role.moderates() {
        author_at_work(board, actor, contribution.author.as_deref())?;
    }
    // An unchanged text is still recorded: the user pressed save, and decide never answers
    // "nothing happened" so the server always has a seq to acknowledge.
    Ok(vec![EventKind::ContributionEdited {
        contribution_id: contribution.contribution_id.clone(),
        text: text.into_string(),
        previous_text: contribution.text.clone(),
    }])
}

pub(crate) fn withdraw(
    board: &Board,
    actor: &Actor,
    contribution_id: &str,
) -> Result<Vec<EventKind>, DomainError> {
    let contribution = live(board, contribution_id)?;
    if !actor.role.moderates() {
        author_at_work(board, actor, contribution.author.as_deref())?;
    }
    not_in_open_round(board, contribution_id)?;
    Ok(vec![EventKind::ContributionWithdrawn {
        contribution_id: contribution.contribution_id.clone(),
    }])
}

/// Hiding is moderation of what is shown (an offensive card), so it works on any card.
pub(crate) fn hide(
    board: &Board,
    contribution_id: &str,
    hidden: bool,
) -> Result<Vec<EventKind>, DomainError> {
    let contribution_id = existing(board, contribution_id)?.contribution_id.clone();
    Ok(vec![if hidden {
        EventKind::ContributionHidden { contribution_id }
    } else {
        EventKind::ContributionRevealed { contribution_id }
    }])
}

/// Replaces a card's tags. Policy areas are deduplicated and sorted A-K so two facilitators
/// tagging the same way produce the same event.
pub(crate) fn tag(
    board: &Board,
    contribution_id: &str,
    policy_areas: &[String],
    targets: &[String],
) -> Result<Vec<EventKind>, DomainError> {
    let mut areas = policy_areas
        .iter()
        .map(|area| PolicyArea::parse(area))
        .collect::<Result<Vec<_>, _>>()?;
    areas.sort();
    areas.dedup();
    let targets = parse_targets(targets)?;
    let contribution = live(board, contribution_id)?;
    Ok(vec![EventKind::ContributionTagged {
        contribution_id: contribution.contribution_id.clone(),
        policy_areas: areas,
        targets,
    }])
}

/// Folds two or more live cards of one kind into a new card with id = command id. The sources
/// stay on the board as merged, so the trace from a priority back to what people wrote is kept.
pub(crate) fn merge(
    board: &Board,
    ctx: &Context,
    contribution_ids: &[String],
    text: Option<&str>,
) -> Result<Vec<EventKind>, DomainError> {
    if has_duplicates(contribution_ids) {
        return Err(DomainError::DuplicateIds);
    }
    if contribution_ids.len() < 2 {
        return Err(DomainError::MergeNeedsTwo);
    }
    let sources = contribution_ids
        .iter()
        .map(|id| live(board, id))
        .collect::<Result<Vec<_>, _>>()?;
    for source in &sources {
        not_in_open_round(board, &source.contribution_id)?;
    }
    let kind = sources[0].kind;
    if sources.iter().any(|source| source.kind != kind) {
        return Err(DomainError::MergeKindsDiffer);
    }
    let text = match text {
        Some(text) => ContributionText::parse(text)?,
        None => {
            let joined = sources
                .iter()
                .map(|source| source.text.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            // A joined text over the limit is refused: the facilitator then writes a summary.
            ContributionText::parse(&joined)?
        }
    };
    Ok(vec![EventKind::ContributionsMerged {
        contribution_id: entity_id(ctx.command_id),
        kind,
        text: text.into_string(),
        sources: sources
            .iter()
            .map(|source| source.contribution_id.clone())
            .collect(),
        cluster_id: sources[0].cluster_id.clone(),
    }])
}

/// A participant changes cards only in the collect phase and while the board is unlocked.
fn participant_may_change_cards(board: &Board) -> Result<(), DomainError> {
    if board.phase != Phase::Collect {
        return Err(DomainError::PhaseClosed);
    }
    if board.locked {
        return Err(DomainError::BoardLocked);
    }
    Ok(())
}

/// A participant editing or withdrawing: they must have joined, wrote the card, and the phase
/// and lock must allow it.
fn author_at_work(board: &Board, actor: &Actor, author: Option<&str>) -> Result<(), DomainError> {
    let participant = active_participant(board, actor)?;
    if author != Some(participant.participant_id.as_str()) {
        return Err(DomainError::NotAuthor);
    }
    participant_may_change_cards(board)
}
