//! What happened: `Event` (as stored and sent) around `EventKind` (the fact itself), and the
//! public view that strips voters of secret rounds and authors of anonymous roundtables.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::board::Board;
use crate::command::{Actor, Context};
use crate::ids::Seq;
use crate::policy_area::PolicyArea;
use crate::vocabulary::{BallotUnit, ContributionKind, OrganisationKind, Phase};

/// The version of the event payloads, stored in every event's `v`.
pub const EVENT_SCHEMA_VERSION: u16 = 1;

/// An event as stored and sent:
/// `{"seq":1,"type":"contribution_added","command_id":"...","actor":{...},"at":123,"v":1, ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: Seq,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<Actor>,
    /// Server time of the decision, unix milliseconds.
    pub at: i64,
    pub v: u16,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// One entry of a round's results: every card of the round, zero-dot ones included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundResult {
    pub contribution_id: String,
    pub dots: u32,
    /// 1 + the number of cards with more dots, so ties share a rank (1, 1, 3).
    pub rank: u32,
}

/// The facts a roundtable's log is made of. Wire tags are snake_case, past tense.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    ContributionAdded {
        contribution_id: String,
        kind: ContributionKind,
        text: String,
        /// The author's participant id; none for staff without one, or in an anonymous view.
        #[serde(default)]
        author: Option<String>,
        #[serde(default)]
        on_behalf_of: Option<String>,
    },
    ContributionEdited {
        contribution_id: String,
        text: String,
        previous_text: String,
    },
    ContributionWithdrawn {
        contribution_id: String,
    },
    ContributionMoved {
        contribution_id: String,
        #[serde(default)]
        cluster_id: Option<String>,
    },
    ClusterCreated {
        cluster_id: String,
        title: String,
    },
    ClusterRenamed {
        cluster_id: String,
        title: String,
    },
    ClusterDeleted {
        cluster_id: String,
    },
    ContributionsMerged {
        contribution_id: String,
        kind: ContributionKind,
        text: String,
        sources: Vec<String>,
        #[serde(default)]
        cluster_id: Option<String>,
    },
    ContributionHidden {
        contribution_id: String,
    },
    ContributionRevealed {
        contribution_id: String,
    },
    ContributionTagged {
        contribution_id: String,
        policy_areas: Vec<PolicyArea>,
        targets: Vec<String>,
    },
    PhaseSet {
        phase: Phase,
    },
    TimerStarted {
        ends_at: i64,
        seconds: u32,
    },
    TimerStopped {},
    BoardLocked {},
    BoardUnlocked {},
    MeetingOpened {
        meeting_id: String,
        #[serde(default)]
        title: Option<String>,
        opened_at: i64,
    },
    MeetingClosed {
        meeting_id: String,
        closed_at: i64,
    },
    ParticipantJoined {
        participant_id: String,
        organisation: String,
        organisation_kind: OrganisationKind,
    },
    AttendanceRecorded {
        participant_id: String,
        meeting_id: String,
    },
    ParticipantLeft {
        participant_id: String,
    },
    NotesSet {
        text: String,
    },
    VotingOpened {
        round: u32,
        contribution_ids: Vec<String>,
        dots_per_voter: u32,
        max_per_contribution: u32,
        ballot: BallotUnit,
        secret: bool,
        hide_results: bool,
        #[serde(default)]
        ends_at: Option<i64>,
    },
    /// In the stored log `participant_id` is always there, secret rounds included: the server
    /// rebuilds ballots from it after a restart. [`Event::public_view`] strips it.
    VoteCast {
        round: u32,
        contribution_id: String,
        #[serde(default)]
        participant_id: Option<String>,
    },
    VoteRetracted {
        round: u32,
        contribution_id: String,
        #[serde(default)]
        participant_id: Option<String>,
    },
    VotingClosed {
        round: u32,
        results: Vec<RoundResult>,
    },
}

impl EventKind {
    /// Every wire `type` of an event, in declaration order.
    pub const TYPE_NAMES: &'static [&'static str] = &[
        "contribution_added",
        "contribution_edited",
        "contribution_withdrawn",
        "contribution_moved",
        "cluster_created",
        "cluster_renamed",
        "cluster_deleted",
        "contributions_merged",
        "contribution_hidden",
        "contribution_revealed",
        "contribution_tagged",
        "phase_set",
        "timer_started",
        "timer_stopped",
        "board_locked",
        "board_unlocked",
        "meeting_opened",
        "meeting_closed",
        "participant_joined",
        "attendance_recorded",
        "participant_left",
        "notes_set",
        "voting_opened",
        "vote_cast",
        "vote_retracted",
        "voting_closed",
    ];

    /// The wire `type` of this event.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::ContributionAdded { .. } => "contribution_added",
            Self::ContributionEdited { .. } => "contribution_edited",
            Self::ContributionWithdrawn { .. } => "contribution_withdrawn",
            Self::ContributionMoved { .. } => "contribution_moved",
            Self::ClusterCreated { .. } => "cluster_created",
            Self::ClusterRenamed { .. } => "cluster_renamed",
            Self::ClusterDeleted { .. } => "cluster_deleted",
            Self::ContributionsMerged { .. } => "contributions_merged",
            Self::ContributionHidden { .. } => "contribution_hidden",
            Self::ContributionRevealed { .. } => "contribution_revealed",
            Self::ContributionTagged { .. } => "contribution_tagged",
            Self::PhaseSet { .. } => "phase_set",
            Self::TimerStarted { .. } => "timer_started",
            Self::TimerStopped {} => "timer_stopped",
            Self::BoardLocked {} => "board_locked",
            Self::BoardUnlocked {} => "board_unlocked",
            Self::MeetingOpened { .. } => "meeting_opened",
            Self::MeetingClosed { .. } => "meeting_closed",
            Self::ParticipantJoined { .. } => "participant_joined",
            Self::AttendanceRecorded { .. } => "attendance_recorded",
            Self::ParticipantLeft { .. } => "participant_left",
            Self::NotesSet { .. } => "notes_set",
            Self::VotingOpened { .. } => "voting_opened",
            Self::VoteCast { .. } => "vote_cast",
            Self::VoteRetracted { .. } => "vote_retracted",
            Self::VotingClosed { .. } => "voting_closed",
        }
    }
}

impl Event {
    /// Stamps a decided event for the log: its sequence number, the command's id, the actor
    /// and the decision time, at the current schema version.
    pub fn new(seq: Seq, actor: &Actor, ctx: &Context, kind: EventKind) -> Event {
        Event {
            seq,
            command_id: Some(ctx.command_id),
            actor: Some(actor.clone()),
            at: ctx.now_ms,
            v: EVENT_SCHEMA_VERSION,
            kind,
        }
    }

    /// Stamps every event one command produced, numbering them from `first_seq`.
    pub fn stamp_all(
        first_seq: Seq,
        actor: &Actor,
        ctx: &Context,
        kinds: Vec<EventKind>,
    ) -> Vec<Event> {
        kinds
            .into_iter()
            .zip(first_seq..)
            .map(|(kind, seq)| Event::new(seq, actor, ctx, kind))
            .collect()
    }

    /// The event as others may see it. With `secret_round` (the event belongs to a secret
    /// round), a vote loses its voter and actor; with `anonymous`, every event loses its actor
    /// and a new card loses its author and the name it was typed for.
    pub fn public_view(&self, secret_round: bool, anonymous: bool) -> Event {
        let mut event = self.clone();
        if anonymous {
            event.actor = None;
        }
        match &mut event.kind {
            EventKind::VoteCast { participant_id, .. }
            | EventKind::VoteRetracted { participant_id, .. }
                if secret_round =>
            {
                *participant_id = None;
                event.actor = None;
            }
            EventKind::ContributionAdded {
                author,
                on_behalf_of,
                ..
            } if anonymous => {
                *author = None;
                *on_behalf_of = None;
            }
            _ => {}
        }
        event
    }

    /// [`Event::public_view`] with `secret_round` looked up on the board (before or after the
    /// event: a round's secrecy never changes once it is open).
    pub fn public_view_on(&self, board: &Board, anonymous: bool) -> Event {
        let secret_round = match &self.kind {
            EventKind::VoteCast { round, .. } | EventKind::VoteRetracted { round, .. } => board
                .round(*round)
                .is_none_or(|voting_round| voting_round.secret),
            _ => false,
        };
        self.public_view(secret_round, anonymous)
    }
}
