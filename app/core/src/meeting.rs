//! Rules for meetings and people: open and close a meeting (one open at a time), join (issued by
//! the server, records attendance) and leave. No person's name ever enters the log.

use crate::board::Board;
use crate::command::{Actor, Context};
use crate::decide::active_participant;
use crate::error::DomainError;
use crate::event::EventKind;
use crate::ids::entity_id;
use crate::text::{parse_optional_title, parse_organisation};
use crate::vocabulary::OrganisationKind;

pub(crate) fn open(
    board: &Board,
    ctx: &Context,
    title: Option<&str>,
) -> Result<Vec<EventKind>, DomainError> {
    let title = parse_optional_title(title)?;
    if board.open_meeting().is_some() {
        return Err(DomainError::MeetingAlreadyOpen);
    }
    Ok(vec![EventKind::MeetingOpened {
        meeting_id: entity_id(ctx.command_id),
        title,
        opened_at: ctx.now_ms,
    }])
}

pub(crate) fn close(board: &Board, ctx: &Context) -> Result<Vec<EventKind>, DomainError> {
    let meeting = board.open_meeting().ok_or(DomainError::NoOpenMeeting)?;
    Ok(vec![EventKind::MeetingClosed {
        meeting_id: meeting.meeting_id.clone(),
        closed_at: ctx.now_ms,
    }])
}

/// Registers (or re-registers) the actor's participant id with an organisation, and records
/// attendance in the open meeting unless already recorded. Joining again always produces
/// `participant_joined`, which also updates the organisation and undoes a `leave`.
pub(crate) fn join(
    board: &Board,
    actor: &Actor,
    organisation: &str,
    organisation_kind: OrganisationKind,
) -> Result<Vec<EventKind>, DomainError> {
    let participant_id = actor
        .participant_id
        .clone()
        .ok_or(DomainError::NotAParticipant)?;
    let organisation = parse_organisation(
        organisation,
        organisation_kind == OrganisationKind::Cittadino,
    )?;
    let mut events = vec![EventKind::ParticipantJoined {
        participant_id: participant_id.clone(),
        organisation,
        organisation_kind,
    }];
    if let Some(meeting) = board.open_meeting()
        && !meeting.attendance.contains(&participant_id)
    {
        events.push(EventKind::AttendanceRecorded {
            participant_id,
            meeting_id: meeting.meeting_id.clone(),
        });
    }
    Ok(events)
}

/// A participant leaves the roundtable. Their cards and cast dots stay: they were the room's
/// work when they were made.
pub(crate) fn leave(board: &Board, actor: &Actor) -> Result<Vec<EventKind>, DomainError> {
    let participant = active_participant(board, actor)?;
    Ok(vec![EventKind::ParticipantLeft {
        participant_id: participant.participant_id.clone(),
    }])
}
