//! What a user may ask for: `Command`, the `CommandEnvelope` it travels in, the `Actor` who
//! sends it and the `Context` the server decides it in. Nothing here checks a rule; `decide` does.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::vocabulary::{BallotUnit, ContributionKind, OrganisationKind, Phase, Role};

/// Who sends a command, as the server established it (authentication is not the core's job).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub role: Role,
    /// The participant id in this roundtable, for people who joined (participants, and staff
    /// who also joined to vote).
    #[serde(default)]
    pub participant_id: Option<String>,
    /// The staff account id, for facilitators and the planning office.
    #[serde(default)]
    pub user_id: Option<String>,
}

impl Actor {
    pub fn participant(participant_id: impl Into<String>) -> Actor {
        Actor {
            role: Role::Participant,
            participant_id: Some(participant_id.into()),
            user_id: None,
        }
    }

    pub fn staff(role: Role, user_id: impl Into<String>) -> Actor {
        Actor {
            role,
            participant_id: None,
            user_id: Some(user_id.into()),
        }
    }

    /// Whoever this actor is, for an edit's trace: the participant id, else the staff user id.
    pub fn trace_id(&self) -> Option<String> {
        self.participant_id.clone().or_else(|| self.user_id.clone())
    }
}

/// Decision context supplied by the server: its clock and the command's id, nothing random.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    /// Server time, unix milliseconds.
    pub now_ms: i64,
    pub command_id: Uuid,
}

/// A command as it arrives on the wire: `{"type": "...", "command_id": "uuid", ...fields}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommandEnvelope {
    pub command_id: Uuid,
    #[serde(flatten)]
    pub command: Command,
}

/// Everything a user may ask of a roundtable. Wire tags are the snake_case variant names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// `on_behalf_of`: a facilitator typing for someone without a device (a free-text name or
    /// organisation); only facilitators and the planning office may set it.
    AddContribution {
        kind: ContributionKind,
        text: String,
        #[serde(default)]
        on_behalf_of: Option<String>,
    },
    EditContribution {
        contribution_id: String,
        text: String,
    },
    WithdrawContribution {
        contribution_id: String,
    },
    /// `cluster_id: null` takes the card out of its cluster.
    MoveContribution {
        contribution_id: String,
        #[serde(default)]
        cluster_id: Option<String>,
    },
    CreateCluster {
        title: String,
    },
    RenameCluster {
        cluster_id: String,
        title: String,
    },
    DeleteCluster {
        cluster_id: String,
    },
    /// `text` defaults to the sources' texts joined with " / ".
    MergeContributions {
        contribution_ids: Vec<String>,
        #[serde(default)]
        text: Option<String>,
    },
    HideContribution {
        contribution_id: String,
    },
    RevealContribution {
        contribution_id: String,
    },
    /// Replaces the card's tags; policy areas are letters A-K.
    TagContribution {
        contribution_id: String,
        #[serde(default)]
        policy_areas: Vec<String>,
        #[serde(default)]
        targets: Vec<String>,
    },
    SetPhase {
        phase: Phase,
    },
    StartTimer {
        seconds: u32,
    },
    StopTimer {},
    LockBoard {},
    UnlockBoard {},
    OpenMeeting {
        #[serde(default)]
        title: Option<String>,
    },
    CloseMeeting {},
    /// Sent by the server on `/api/join`, never by a client (see [`Command::is_server_only`]).
    /// The person's name is never in the log, so erasing it touches no event.
    Join {
        organisation: String,
        organisation_kind: OrganisationKind,
    },
    Leave {},
    SetNotes {
        text: String,
    },
    OpenVoting {
        contribution_ids: Vec<String>,
        dots_per_voter: u32,
        max_per_contribution: u32,
        ballot: BallotUnit,
        secret: bool,
        #[serde(default)]
        hide_results: bool,
        #[serde(default)]
        seconds: Option<u32>,
    },
    CastVote {
        round: u32,
        contribution_id: String,
    },
    RetractVote {
        round: u32,
        contribution_id: String,
    },
    CloseVoting {
        round: u32,
    },
}

impl Command {
    /// Every wire `type` of a command, in declaration order.
    pub const TYPE_NAMES: &'static [&'static str] = &[
        "add_contribution",
        "edit_contribution",
        "withdraw_contribution",
        "move_contribution",
        "create_cluster",
        "rename_cluster",
        "delete_cluster",
        "merge_contributions",
        "hide_contribution",
        "reveal_contribution",
        "tag_contribution",
        "set_phase",
        "start_timer",
        "stop_timer",
        "lock_board",
        "unlock_board",
        "open_meeting",
        "close_meeting",
        "join",
        "leave",
        "set_notes",
        "open_voting",
        "cast_vote",
        "retract_vote",
        "close_voting",
    ];

    /// The wire `type` of this command.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::AddContribution { .. } => "add_contribution",
            Self::EditContribution { .. } => "edit_contribution",
            Self::WithdrawContribution { .. } => "withdraw_contribution",
            Self::MoveContribution { .. } => "move_contribution",
            Self::CreateCluster { .. } => "create_cluster",
            Self::RenameCluster { .. } => "rename_cluster",
            Self::DeleteCluster { .. } => "delete_cluster",
            Self::MergeContributions { .. } => "merge_contributions",
            Self::HideContribution { .. } => "hide_contribution",
            Self::RevealContribution { .. } => "reveal_contribution",
            Self::TagContribution { .. } => "tag_contribution",
            Self::SetPhase { .. } => "set_phase",
            Self::StartTimer { .. } => "start_timer",
            Self::StopTimer {} => "stop_timer",
            Self::LockBoard {} => "lock_board",
            Self::UnlockBoard {} => "unlock_board",
            Self::OpenMeeting { .. } => "open_meeting",
            Self::CloseMeeting {} => "close_meeting",
            Self::Join { .. } => "join",
            Self::Leave {} => "leave",
            Self::SetNotes { .. } => "set_notes",
            Self::OpenVoting { .. } => "open_voting",
            Self::CastVote { .. } => "cast_vote",
            Self::RetractVote { .. } => "retract_vote",
            Self::CloseVoting { .. } => "close_voting",
        }
    }

    /// Commands only the server itself may issue. A client that sends one is refused with
    /// `not_allowed` by `protocol::parse_client_message`: a participant must not re-register
    /// under another organisation by sending `join` over the socket.
    pub fn is_server_only(&self) -> bool {
        matches!(self, Self::Join { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_command_of_api_md_parses() {
        let json = r#"{"type": "add_contribution", "command_id": "6f1c2d3e-0000-4000-8000-000000000001", "kind": "need", "text": "Mancano spazi per i giovani"}"#;
        let envelope: CommandEnvelope = serde_json::from_str(json).unwrap();
        assert_eq!(
            envelope.command,
            Command::AddContribution {
                kind: ContributionKind::Need,
                text: "Mancano spazi per i giovani".into(),
                on_behalf_of: None,
            }
        );
        assert_eq!(envelope.command.type_name(), "add_contribution");
    }

    #[test]
    fn empty_commands_are_just_a_type() {
        let json =
            r#"{"type": "stop_timer", "command_id": "6f1c2d3e-0000-4000-8000-000000000001"}"#;
        let envelope: CommandEnvelope = serde_json::from_str(json).unwrap();
        assert_eq!(envelope.command, Command::StopTimer {});
    }

    #[test]
    fn move_to_null_takes_a_card_out_of_its_cluster() {
        let json = r#"{"type":"move_contribution","command_id":"6f1c2d3e-0000-4000-8000-000000000001","contribution_id":"c","cluster_id":null}"#;
        let envelope: CommandEnvelope = serde_json::from_str(json).unwrap();
        assert_eq!(
            envelope.command,
            Command::MoveContribution {
                contribution_id: "c".into(),
                cluster_id: None
            }
        );
    }

    #[test]
    fn open_voting_takes_the_api_md_fields() {
        let json = r#"{"type":"open_voting","command_id":"6f1c2d3e-0000-4000-8000-000000000001",
            "contribution_ids":["a","b"],"dots_per_voter":3,"max_per_contribution":2,"ballot":"organisation","secret":true}"#;
        let envelope: CommandEnvelope = serde_json::from_str(json).unwrap();
        let Command::OpenVoting {
            ballot,
            hide_results,
            seconds,
            ..
        } = envelope.command
        else {
            panic!("not open_voting");
        };
        assert_eq!(ballot, BallotUnit::Organisation);
        assert!(!hide_results);
        assert_eq!(seconds, None);
    }

    #[test]
    fn envelopes_survive_a_json_round_trip() {
        let envelope = CommandEnvelope {
            command_id: Uuid::from_u128(7),
            command: Command::CastVote {
                round: 2,
                contribution_id: "x".into(),
            },
        };
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["type"], "cast_vote");
        assert_eq!(json["command_id"], "00000000-0000-0000-0000-000000000007");
        assert_eq!(
            serde_json::from_value::<CommandEnvelope>(json).unwrap(),
            envelope
        );
    }
}
