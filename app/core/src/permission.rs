//! Which role may send which command: the static table, the same for the server (inside
//! `decide`) and the browser (to grey out buttons). Rules that depend on the board, such as
//! authorship, phase or lock, are checked in `decide`, not here.

use crate::command::Command;
use crate::vocabulary::Role;

/// Whether a client with `role` may send `command` at all.
///
/// Observers send nothing. Facilitators and the planning office send every command except
/// `join` and `leave`, which belong to participants. Participants add cards (never on behalf of
/// someone), edit and withdraw cards (their own, checked by `decide`), leave and vote. Staff
/// may vote too, but only if they also joined as participants (`decide` refuses them with
/// `not_a_participant` otherwise). `join` is sent by the server only, so it is `false` for
/// every role here.
pub fn may_send(role: Role, command: &Command) -> bool {
    match role {
        Role::Observer => false,
        Role::Participant => match command {
            Command::AddContribution { on_behalf_of, .. } => on_behalf_of.is_none(),
            Command::EditContribution { .. }
            | Command::WithdrawContribution { .. }
            | Command::Leave {}
            | Command::CastVote { .. }
            | Command::RetractVote { .. } => true,
            _ => false,
        },
        Role::Facilitator | Role::PlanningOffice => {
            !matches!(command, Command::Join { .. } | Command::Leave {})
        }
    }
}

/// The table `decide` uses: [`may_send`], plus `join` for participants, which the server
/// issues on their behalf when they join.
pub(crate) fn may_decide(role: Role, command: &Command) -> bool {
    may_send(role, command) || (role == Role::Participant && command.is_server_only())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocabulary::{ContributionKind, OrganisationKind, Phase};

    fn add(on_behalf_of: Option<&str>) -> Command {
        Command::AddContribution {
            kind: ContributionKind::Need,
            text: "x".into(),
            on_behalf_of: on_behalf_of.map(str::to_owned),
        }
    }

    #[test]
    fn observers_may_send_nothing() {
        assert!(!may_send(Role::Observer, &add(None)));
        assert!(!may_send(Role::Observer, &Command::Leave {}));
    }

    #[test]
    fn participants_add_only_for_themselves() {
        assert!(may_send(Role::Participant, &add(None)));
        assert!(!may_send(Role::Participant, &add(Some("Maria"))));
        assert!(may_send(Role::Facilitator, &add(Some("Maria"))));
    }

    #[test]
    fn participants_do_not_moderate() {
        let moderation = [
            Command::SetPhase { phase: Phase::Vote },
            Command::CreateCluster { title: "t".into() },
            Command::LockBoard {},
            Command::CloseVoting { round: 1 },
            Command::HideContribution {
                contribution_id: "c".into(),
            },
        ];
        for command in &moderation {
            assert!(
                !may_send(Role::Participant, command),
                "{}",
                command.type_name()
            );
            assert!(may_send(Role::Facilitator, command));
            assert!(may_send(Role::PlanningOffice, command));
        }
    }

    #[test]
    fn join_comes_only_from_the_server() {
        let join = Command::Join {
            organisation: "Auser".into(),
            organisation_kind: OrganisationKind::Odv,
        };
        for role in [
            Role::Participant,
            Role::Facilitator,
            Role::PlanningOffice,
            Role::Observer,
        ] {
            assert!(!may_send(role, &join));
        }
        assert!(may_decide(Role::Participant, &join));
        assert!(!may_decide(Role::Facilitator, &join));
    }
}
