//! The one authorization check of Tavoli: who may do what, for every HTTP route, server
//! function and websocket command. The server works out the caller's [`Standing`] towards the
//! thing acted on (a roundtable, a process, or the deployment) and asks [`authorize`]; nothing
//! else in Tavoli decides whether someone may act.
//!
//! # The table
//!
//! Rows are actions, columns the caller's standing. `401` = not signed in (or the token was
//! revoked), `403` = signed in but without the role, `ok` = allowed, `cmd` = the command table
//! [`crate::permission::may_send`] for the role (then `decide` checks the board's own rules).
//!
//! | action                 | nobody | revoked | outsider | observer | participant | facilitator | planning office |
//! |------------------------|--------|---------|----------|----------|-------------|-------------|-----------------|
//! | list processes         | ok*    | ok*     | ok*      | ok*      | ok*         | ok*         | ok*             |
//! | create process         | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | create staff account   | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | read process (and its synthesis) | 401 | 401 | 403   | ok       | ok          | ok          | ok              |
//! | create roundtable      | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | manage members         | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | read audit log         | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | export (PDF, CSV, JSON)| 401    | 401     | 403      | ok       | 403         | 403         | ok              |
//! | edit synthesis, validate | 401    | 401     | 403      | 403      | 403         | 403         | ok              |
//! | read board / events    | 401    | 401     | 403      | ok       | ok          | ok          | ok              |
//! | open the websocket     | 401    | 401     | 403      | ok       | ok          | ok          | ok              |
//! | list participants      | 401    | 401     | 403      | 403      | 403         | ok          | ok              |
//! | revoke a participant   | 401    | 401     | 403      | 403      | 403         | ok          | ok              |
//! | erase a participant    | 401    | 401     | 403      | 403      | 403         | ok          | ok              |
//! | download own data      | 401    | ok      | 403      | 403      | ok          | 403         | 403             |
//! | erase oneself          | 401    | ok      | 403      | 403      | ok          | 403         | 403             |
//! | a command              | 401    | 401     | 403      | 403      | cmd         | cmd         | cmd             |
//!
//! `ok*`: everyone may ask, and gets only what they may read (an anonymous visitor sees the
//! processes published on the home page). A revoked participant keeps their privacy rights
//! (download and erasure) but can no longer read or write the roundtable.
//!
//! Standing is relative: the planning office of one process is an outsider to another; a
//! facilitator is a facilitator of their roundtables only; a participant of their roundtable
//! only. For account-level actions (create process, staff accounts) a planning-office account
//! stands as [`Standing::PlanningOffice`] and any other signed-in caller as an outsider.

use crate::command::Command;
use crate::error::Lang;
use crate::permission::may_send;
use crate::vocabulary::Role;

/// What the caller is to the thing they act on, as the server established it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Standing {
    /// No credentials, or unknown or expired ones.
    Nobody,
    /// A participant token the facilitator revoked.
    Revoked,
    /// Signed in or joined, but with no role here (a participant of another roundtable, a
    /// facilitator of another roundtable, the planning office of another process).
    Outsider,
    /// Reads a process and its roundtables; sends nothing.
    Observer,
    /// Joined this roundtable.
    Participant,
    /// Facilitates this roundtable.
    Facilitator,
    /// Runs this process (or, for account-level actions, holds a planning-office account).
    PlanningOffice,
}

impl Standing {
    /// Every standing, in the table's column order.
    pub const ALL: [Standing; 7] = [
        Standing::Nobody,
        Standing::Revoked,
        Standing::Outsider,
        Standing::Observer,
        Standing::Participant,
        Standing::Facilitator,
        Standing::PlanningOffice,
    ];

    /// The role this standing acts with, if it has one.
    pub fn role(self) -> Option<Role> {
        match self {
            Standing::Observer => Some(Role::Observer),
            Standing::Participant => Some(Role::Participant),
            Standing::Facilitator => Some(Role::Facilitator),
            Standing::PlanningOffice => Some(Role::PlanningOffice),
            Standing::Nobody | Standing::Revoked | Standing::Outsider => None,
        }
    }
}

/// Something a caller asks to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    ListProcesses,
    CreateProcess,
    CreateStaffAccount,
    ReadProcess,
    CreateRoundtable,
    ManageMembers,
    ReadAudit,
    Export,
    /// Themes, intervention sheets and similarity suggestions of a process.
    EditSynthesis,
    ReadBoard,
    ReadEvents,
    OpenLive,
    ListParticipants,
    RevokeParticipant,
    EraseParticipant,
    DownloadOwnData,
    EraseSelf,
    Command(&'a Command),
}

impl Action<'_> {
    /// Every action that is not a command, in the table's row order.
    pub const ROUTES: [Action<'static>; 17] = [
        Action::ListProcesses,
        Action::CreateProcess,
        Action::CreateStaffAccount,
        Action::ReadProcess,
        Action::CreateRoundtable,
        Action::ManageMembers,
        Action::ReadAudit,
        Action::Export,
        Action::EditSynthesis,
        Action::ReadBoard,
        Action::ReadEvents,
        Action::OpenLive,
        Action::ListParticipants,
        Action::RevokeParticipant,
        Action::EraseParticipant,
        Action::DownloadOwnData,
        Action::EraseSelf,
    ];
}

/// Why a caller may not act: said once, mapped to 401/403 by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No valid credentials: sign in or join first (401).
    Unauthenticated,
    /// The participant token was revoked by the facilitator (401).
    Revoked,
    /// Signed in, but this role may not do this here (403).
    Forbidden,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unauthenticated => "unauthenticated",
            Refusal::Revoked => "token_revoked",
            Refusal::Forbidden => "forbidden",
        }
    }

    pub fn message(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Refusal::Unauthenticated, Lang::It) => {
                "Accesso richiesto: entra con il tuo account o partecipa con il codice del tavolo."
            }
            (Refusal::Unauthenticated, Lang::En) => {
                "Sign-in required: sign in with your account or join with the roundtable code."
            }
            (Refusal::Revoked, Lang::It) => {
                "Il tuo accesso a questo tavolo è stato revocato dal facilitatore."
            }
            (Refusal::Revoked, Lang::En) => {
                "Your access to this roundtable was revoked by the facilitator."
            }
            (Refusal::Forbidden, Lang::It) => "Non hai i permessi per questa operazione.",
            (Refusal::Forbidden, Lang::En) => "You are not allowed to do this.",
        }
    }

    /// Whether the refusal means "who are you?" (401) rather than "not you" (403).
    pub fn is_unauthenticated(self) -> bool {
        matches!(self, Refusal::Unauthenticated | Refusal::Revoked)
    }
}

/// The check. `Ok` carries the role the caller acts with (`None` for the few actions open
/// to callers without a role, such as listing processes or a revoked participant's erasure).
pub fn authorize(standing: Standing, action: Action<'_>) -> Result<Option<Role>, Refusal> {
    use Standing as S;
    // Privacy rights outlive revocation: a revoked participant may still download and erase.
    if let Action::DownloadOwnData | Action::EraseSelf = action {
        return match standing {
            S::Participant | S::Revoked => Ok(Some(Role::Participant)),
            S::Nobody => Err(Refusal::Unauthenticated),
            _ => Err(Refusal::Forbidden),
        };
    }
    if action == Action::ListProcesses {
        return Ok(standing.role());
    }
    let role = match standing {
        S::Nobody => return Err(Refusal::Unauthenticated),
        S::Revoked => return Err(Refusal::Revoked),
        S::Outsider => return Err(Refusal::Forbidden),
        S::Observer => Role::Observer,
        S::Participant => Role::Participant,
        S::Facilitator => Role::Facilitator,
        S::PlanningOffice => Role::PlanningOffice,
    };
    let allowed = match action {
        Action::CreateProcess
        | Action::CreateStaffAccount
        | Action::CreateRoundtable
        | Action::ManageMembers
        | Action::EditSynthesis
        | Action::ReadAudit => role == Role::PlanningOffice,
        Action::Export => matches!(role, Role::PlanningOffice | Role::Observer),
        Action::ReadProcess | Action::ReadBoard | Action::ReadEvents | Action::OpenLive => true,
        Action::ListParticipants | Action::RevokeParticipant | Action::EraseParticipant => {
            matches!(role, Role::Facilitator | Role::PlanningOffice)
        }
        Action::Command(command) => may_send(role, command),
        Action::ListProcesses | Action::DownloadOwnData | Action::EraseSelf => true,
    };
    if allowed {
        Ok(Some(role))
    } else {
        Err(Refusal::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{ContributionKind, Phase};

    const OK: &str = "ok";

    /// The table of the module documentation, row by row, as the test reads it.
    fn documented(action: Action<'_>) -> [&'static str; 7] {
        match action {
            Action::ListProcesses => [OK; 7],
            Action::CreateProcess
            | Action::CreateStaffAccount
            | Action::CreateRoundtable
            | Action::ManageMembers
            | Action::EditSynthesis
            | Action::ReadAudit => ["401", "401", "403", "403", "403", "403", OK],
            Action::ReadProcess | Action::ReadBoard | Action::ReadEvents | Action::OpenLive => {
                ["401", "401", "403", OK, OK, OK, OK]
            }
            Action::Export => ["401", "401", "403", OK, "403", "403", OK],
            Action::ListParticipants | Action::RevokeParticipant | Action::EraseParticipant => {
                ["401", "401", "403", "403", "403", OK, OK]
            }
            Action::DownloadOwnData | Action::EraseSelf => {
                ["401", OK, "403", "403", OK, "403", "403"]
            }
            Action::Command(_) => unreachable!("commands follow permission::may_send"),
        }
    }

    fn outcome(result: Result<Option<Role>, Refusal>) -> &'static str {
        match result {
            Ok(_) => OK,
            Err(refusal) if refusal.is_unauthenticated() => "401",
            Err(_) => "403",
        }
    }

    #[test]
    fn every_route_action_follows_the_documented_table() {
        for action in Action::ROUTES {
            let got: Vec<&str> = Standing::ALL
                .iter()
                .map(|standing| outcome(authorize(*standing, action)))
                .collect();
            assert_eq!(got, documented(action), "{action:?}");
        }
    }

    #[test]
    fn commands_follow_the_role_table_and_nobody_without_a_role_sends_any() {
        let add = Command::AddContribution {
            kind: ContributionKind::Need,
            text: "x".into(),
            on_behalf_of: None,
        };
        let phase = Command::SetPhase { phase: Phase::Vote };
        for command in [&add, &phase] {
            assert_eq!(
                authorize(Standing::Nobody, Action::Command(command)),
                Err(Refusal::Unauthenticated)
            );
            assert_eq!(
                authorize(Standing::Revoked, Action::Command(command)),
                Err(Refusal::Revoked)
            );
            assert_eq!(
                authorize(Standing::Outsider, Action::Command(command)),
                Err(Refusal::Forbidden)
            );
            assert_eq!(
                authorize(Standing::Observer, Action::Command(command)),
                Err(Refusal::Forbidden)
            );
        }
        assert_eq!(
            authorize(Standing::Participant, Action::Command(&add)),
            Ok(Some(Role::Participant))
        );
        assert_eq!(
            authorize(Standing::Participant, Action::Command(&phase)),
            Err(Refusal::Forbidden)
        );
        assert_eq!(
            authorize(Standing::Facilitator, Action::Command(&phase)),
            Ok(Some(Role::Facilitator))
        );
    }
}
