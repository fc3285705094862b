//! Properties over random command sequences: `decide` and `apply` never panic, accepted
//! commands always produce events, the board's invariants hold after every step, and folding is
//! deterministic (the same log gives the same board, through JSON too).

use proptest::prelude::*;
use tavoli_core::{
    Actor, BallotUnit, Board, Command, CommandEnvelope, Context, ContributionKind, Event,
    OrganisationKind, Phase, Role, apply, decide, entity_id,
};
use uuid::Uuid;

const CLOCK_START: i64 = 1_760_000_000_000;

fn actor() -> impl Strategy<Value = Actor> {
    prop_oneof![
        3 => prop::sample::select(vec!["anna", "lucia", "marco", "gino", "stranger"])
            .prop_map(Actor::participant),
        2 => Just(Actor::staff(Role::Facilitator, "f")),
        1 => Just(Actor::staff(Role::PlanningOffice, "u")),
        1 => Just(Actor::staff(Role::Observer, "o")),
        1 => Just(Actor {
            role: Role::Facilitator,
            participant_id: Some("fabio".into()),
            user_id: Some("f2".into()),
        }),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zàèìòù ]{1,30}",
        1 => Just(String::new()),
        1 => Just(" \u{7}\r\n ".to_owned()),
        1 => Just("x".repeat(4001)),
        1 => any::<String>(),
    ]
}

/// An id: mostly a placeholder `#k` that [`resolve`] turns into the k-th card or cluster on the
/// board at that moment, so random commands hit real things; sometimes an id nothing has.
fn some_id() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0u8..32).prop_map(|k| format!("#{k}")),
        1 => (1u128..40).prop_map(|n| entity_id(Uuid::from_u128(n))),
        1 => Just("unknown".to_owned()),
    ]
}

fn pick(placeholder: &str, ids: &[String]) -> String {
    match placeholder
        .strip_prefix('#')
        .and_then(|k| k.parse::<usize>().ok())
    {
        Some(k) if !ids.is_empty() => ids[k % ids.len()].clone(),
        _ => placeholder.to_owned(),
    }
}

/// Replaces placeholders with ids of cards and clusters that exist on `board`.
fn resolve(command: &Command, board: &Board) -> Command {
    let cards: Vec<String> = board
        .contributions
        .iter()
        .map(|c| c.contribution_id.clone())
        .collect();
    let clusters: Vec<String> = board
        .clusters
        .iter()
        .map(|c| c.cluster_id.clone())
        .collect();
    let live: Vec<String> = board
        .live_contributions()
        .map(|c| c.contribution_id.clone())
        .collect();
    let card = |id: &String| pick(id, &cards);
    let live_card = |id: &String| pick(id, &live);
    let cluster = |id: &String| pick(id, &clusters);
    // Round 0 stands for the latest round, and its cards are what voters mostly pick.
    let latest = board.voting_rounds.last();
    let latest_round = latest.map_or(0, |round| round.round);
    let round_cards: Vec<String> = latest
        .map(|round| round.contribution_ids.clone())
        .unwrap_or_default();
    let mut command = command.clone();
    match &mut command {
        Command::EditContribution {
            contribution_id, ..
        }
        | Command::WithdrawContribution { contribution_id }
        | Command::HideContribution { contribution_id }
        | Command::RevealContribution { contribution_id }
        | Command::TagContribution {
            contribution_id, ..
        } => *contribution_id = card(contribution_id),
        Command::CastVote {
            round,
            contribution_id,
        }
        | Command::RetractVote {
            round,
            contribution_id,
        } => {
            if *round == 0 {
                *round = latest_round;
            }
            *contribution_id = pick(contribution_id, &round_cards);
        }
        Command::CloseVoting { round } if *round == 0 => *round = latest_round,
        Command::MoveContribution {
            contribution_id,
            cluster_id,
        } => {
            *contribution_id = card(contribution_id);
            *cluster_id = cluster_id.as_ref().map(cluster);
        }
        Command::RenameCluster { cluster_id, .. } | Command::DeleteCluster { cluster_id } => {
            *cluster_id = cluster(cluster_id)
        }
        Command::MergeContributions {
            contribution_ids, ..
        }
        | Command::OpenVoting {
            contribution_ids, ..
        } => *contribution_ids = contribution_ids.iter().map(live_card).collect(),
        _ => {}
    }
    command
}

fn kind() -> impl Strategy<Value = ContributionKind> {
    prop::sample::select(ContributionKind::all().to_vec())
}

fn organisation() -> impl Strategy<Value = (String, OrganisationKind)> {
    (
        prop::sample::select(vec!["Auser", " auser", "Caritas", "", "ACLI"]),
        prop::sample::select(OrganisationKind::all().to_vec()),
    )
        .prop_map(|(name, kind)| (name.to_owned(), kind))
}

fn command() -> impl Strategy<Value = Command> {
    prop_oneof![
        6 => (kind(), text(), prop::option::of(text())).prop_map(|(kind, text, on_behalf_of)| {
            Command::AddContribution { kind, text, on_behalf_of }
        }),
        2 => (some_id(), text()).prop_map(|(contribution_id, text)| Command::EditContribution {
            contribution_id,
            text
        }),
        2 => some_id().prop_map(|contribution_id| Command::WithdrawContribution { contribution_id }),
        2 => (some_id(), prop::option::of(some_id())).prop_map(|(contribution_id, cluster_id)| {
            Command::MoveContribution { contribution_id, cluster_id }
        }),
        2 => text().prop_map(|title| Command::CreateCluster { title }),
        1 => (some_id(), text()).prop_map(|(cluster_id, title)| Command::RenameCluster {
            cluster_id,
            title
        }),
        1 => some_id().prop_map(|cluster_id| Command::DeleteCluster { cluster_id }),
        3 => (
            prop_oneof![4 => prop::collection::vec(some_id(), 2..4), 1 => prop::collection::vec(some_id(), 0..2)],
            prop::option::of(text())
        ).prop_map(
            |(contribution_ids, text)| Command::MergeContributions { contribution_ids, text }
        ),
        1 => some_id().prop_map(|contribution_id| Command::HideContribution { contribution_id }),
        1 => some_id().prop_map(|contribution_id| Command::RevealContribution { contribution_id }),
        1 => (
            some_id(),
            prop::collection::vec("[A-Ma-c ]{0,2}", 0..4),
            prop::collection::vec(text(), 0..3)
        )
            .prop_map(|(contribution_id, policy_areas, targets)| Command::TagContribution {
                contribution_id,
                policy_areas,
                targets
            }),
        1 => prop::sample::select(Phase::all().to_vec()).prop_map(|phase| Command::SetPhase { phase }),
        1 => (0u32..8000).prop_map(|seconds| Command::StartTimer { seconds }),
        1 => Just(Command::StopTimer {}),
        1 => Just(Command::LockBoard {}),
        1 => Just(Command::UnlockBoard {}),
        1 => prop::option::of(text()).prop_map(|title| Command::OpenMeeting { title }),
        1 => Just(Command::CloseMeeting {}),
        4 => organisation().prop_map(|(organisation, organisation_kind)| Command::Join {
            organisation,
            organisation_kind
        }),
        1 => Just(Command::Leave {}),
        1 => text().prop_map(|text| Command::SetNotes { text }),
        3 => (
            prop::collection::vec(some_id(), 0..5),
            prop_oneof![4 => 1u32..6, 1 => 0u32..22],
            prop_oneof![4 => 1u32..3, 1 => 0u32..5],
            prop::sample::select(vec![BallotUnit::Person, BallotUnit::Organisation]),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(0u32..100),
        )
            .prop_map(
                |(contribution_ids, dots_per_voter, max_per_contribution, ballot, secret, hide_results, seconds)| {
                    Command::OpenVoting {
                        contribution_ids,
                        dots_per_voter,
                        max_per_contribution,
                        ballot,
                        secret,
                        hide_results,
                        seconds,
                    }
                }
            ),
        10 => (0u32..4, some_id()).prop_map(|(round, contribution_id)| Command::CastVote {
            round,
            contribution_id
        }),
        4 => (0u32..4, some_id()).prop_map(|(round, contribution_id)| Command::RetractVote {
            round,
            contribution_id
        }),
        1 => (0u32..4).prop_map(|round| Command::CloseVoting { round }),
    ]
}

/// Joins are issued by the server for participants; route them to a participant actor so
/// random sequences actually fill the room.
fn step() -> impl Strategy<Value = Step> {
    (actor(), command(), 0u16..2000).prop_map(|(actor, command, pause_ms)| {
        let actor = match (&command, actor.role) {
            (Command::Join { .. }, Role::Participant) => actor,
            (Command::Join { .. }, _) if actor.participant_id.is_some() => {
                Actor::participant(actor.participant_id.clone().unwrap_or_default())
            }
            _ => actor,
        };
        (actor, command, pause_ms)
    })
}

/// Everything that must hold on any board the rules can reach.
fn check_invariants(board: &Board) -> Result<(), TestCaseError> {
    prop_assert!(
        board
            .voting_rounds
            .iter()
            .filter(|round| round.is_open())
            .count()
            <= 1
    );
    prop_assert!(
        board
            .meetings
            .iter()
            .filter(|meeting| meeting.is_open())
            .count()
            <= 1
    );
    for contribution in &board.contributions {
        if let Some(cluster_id) = &contribution.cluster_id {
            prop_assert!(
                board.cluster(cluster_id).is_some(),
                "card in a missing cluster"
            );
        }
        prop_assert!(!contribution.text.is_empty());
        prop_assert!(contribution.text.chars().count() <= tavoli_core::MAX_CONTRIBUTION_CHARS);
    }
    for (index, round) in board.voting_rounds.iter().enumerate() {
        prop_assert_eq!(
            round.round as usize,
            index + 1,
            "rounds are numbered 1, 2, ..."
        );
        let dots_on_ballots: usize = round.ballots.values().map(Vec::len).sum();
        let dots_in_tally: u32 = round.tally.values().sum();
        prop_assert_eq!(dots_on_ballots as u32, dots_in_tally);
        prop_assert_eq!(
            round.voters as usize,
            round
                .ballots
                .values()
                .filter(|dots| !dots.is_empty())
                .count()
        );
        for dots in round.ballots.values() {
            prop_assert!(dots.len() as u32 <= round.dots_per_voter);
            for card in &round.contribution_ids {
                let on_card = dots
                    .iter()
                    .filter(|dot| &dot.contribution_id == card)
                    .count();
                prop_assert!(on_card as u32 <= round.max_per_contribution);
            }
        }
        if !round.is_open() {
            prop_assert_eq!(round.results.len(), round.contribution_ids.len());
        }
    }
    Ok(())
}

type Step = (Actor, Command, u16);

/// A room to start from, so random sequences spend their steps on cards and votes.
fn the_room() -> Vec<Step> {
    let room = [
        ("anna", "Auser", OrganisationKind::Odv),
        ("lucia", "AUSER ", OrganisationKind::Odv),
        ("marco", "Caritas", OrganisationKind::Aps),
        ("gino", "", OrganisationKind::Cittadino),
        ("fabio", "Comune", OrganisationKind::Comune),
    ];
    room.iter()
        .map(|(who, organisation, organisation_kind)| {
            let join = Command::Join {
                organisation: (*organisation).into(),
                organisation_kind: *organisation_kind,
            };
            (Actor::participant(*who), join, 0)
        })
        .collect()
}

/// Three needs a facilitator typed in, so merges and rounds have material from the start.
fn some_needs() -> Vec<Step> {
    ["uno", "due", "tre"]
        .iter()
        .map(|text| {
            let add = Command::AddContribution {
                kind: ContributionKind::Need,
                text: (*text).into(),
                on_behalf_of: None,
            };
            (Actor::staff(Role::Facilitator, "f"), add, 0)
        })
        .collect()
}

/// The room, four needs and a round open on them, with the given ballot rules.
fn a_round(ballot: BallotUnit, secret: bool, hide_results: bool, dots: u32, max: u32) -> Vec<Step> {
    let mut steps = the_room();
    for text in ["uno", "due", "tre", "quattro"] {
        let add = Command::AddContribution {
            kind: ContributionKind::Need,
            text: text.into(),
            on_behalf_of: None,
        };
        steps.push((Actor::participant("anna"), add, 0));
    }
    let open = Command::OpenVoting {
        contribution_ids: (0..4).map(|k| format!("#{k}")).collect(),
        dots_per_voter: dots,
        max_per_contribution: max,
        ballot,
        secret,
        hide_results,
        seconds: None,
    };
    steps.push((Actor::staff(Role::Facilitator, "f"), open, 0));
    steps
}

/// Steps of a voting session: mostly dots, some comings and goings.
fn voting_step() -> impl Strategy<Value = Step> {
    let voter = prop::sample::select(vec!["anna", "lucia", "marco", "gino", "fabio", "stranger"])
        .prop_map(Actor::participant);
    let facilitator = Just(Actor::staff(Role::Facilitator, "f"));
    prop_oneof![
        10 => (voter.clone(), some_id()).prop_map(|(actor, contribution_id)| {
            (actor, Command::CastVote { round: 0, contribution_id }, 0)
        }),
        5 => (voter.clone(), some_id()).prop_map(|(actor, contribution_id)| {
            (actor, Command::RetractVote { round: 0, contribution_id }, 0)
        }),
        2 => (voter.clone(), organisation()).prop_map(|(actor, (organisation, organisation_kind))| {
            (actor, Command::Join { organisation, organisation_kind }, 0)
        }),
        1 => voter.prop_map(|actor| (actor, Command::Leave {}, 0)),
        1 => facilitator.clone().prop_map(|actor| (actor, Command::CloseVoting { round: 0 }, 0)),
        1 => (facilitator, prop::collection::vec(some_id(), 1..4), 1u32..4, any::<bool>()).prop_map(
            |(actor, contribution_ids, dots, secret)| {
                let open = Command::OpenVoting {
                    contribution_ids,
                    dots_per_voter: dots,
                    max_per_contribution: 1,
                    ballot: BallotUnit::Organisation,
                    secret,
                    hide_results: !secret,
                    seconds: None,
                };
                (actor, open, 0)
            }
        ),
        1 => step(),
    ]
}

/// Runs `steps` through decide and apply as the server would, checking the board after each,
/// then checks that folding the log is deterministic, also through JSON and public views.
fn run_session(steps: &[Step]) -> Result<(), TestCaseError> {
    let mut board = Board::default();
    let mut log: Vec<Event> = Vec::new();
    let mut now = CLOCK_START;
    for (number, (actor, command, pause_ms)) in steps.iter().enumerate() {
        let command = &resolve(command, &board);
        now += i64::from(*pause_ms);
        let ctx = Context {
            now_ms: now,
            command_id: Uuid::from_u128(number as u128 + 1),
        };
        // Every command also survives the wire.
        let envelope = CommandEnvelope {
            command_id: ctx.command_id,
            command: command.clone(),
        };
        let json = serde_json::to_string(&envelope).unwrap();
        prop_assert_eq!(
            serde_json::from_str::<CommandEnvelope>(&json).unwrap(),
            envelope
        );

        let allowed = tavoli_core::permission::may_send(actor.role, command);
        match decide(&board, actor, command, &ctx) {
            Ok(kinds) => {
                prop_assert!(
                    !kinds.is_empty(),
                    "accepted {} with no events",
                    command.type_name()
                );
                prop_assert!(allowed || command.is_server_only());
                for event in Event::stamp_all(board.seq + 1, actor, &ctx, kinds) {
                    apply(&mut board, &event);
                    log.push(event);
                }
            }
            Err(error) => {
                prop_assert!(!error.code().is_empty());
                if !allowed && !command.is_server_only() {
                    prop_assert_eq!(error, tavoli_core::DomainError::NotAllowed);
                }
            }
        }
        check_invariants(&board)?;
    }

    // The same log folds to the same board, every time.
    prop_assert_eq!(board.seq, log.len() as u64);
    let first = Board::from_events(&log);
    let second = Board::from_events(&log);
    prop_assert_eq!(&first, &board);
    prop_assert_eq!(&first, &second);

    // Through JSON: the stored log and the served board come back equal.
    let stored: Vec<Event> = log
        .iter()
        .map(|event| serde_json::from_str(&serde_json::to_string(event).unwrap()).unwrap())
        .collect();
    prop_assert_eq!(&stored, &log);
    prop_assert_eq!(&Board::from_events(&stored), &board);
    let served: Board = serde_json::from_str(&serde_json::to_string(&board).unwrap()).unwrap();
    prop_assert_eq!(&served, &board);

    // A browser folding the public events sees the same cards and counts as the public board.
    for anonymous in [false, true] {
        let public_log: Vec<Event> = log
            .iter()
            .map(|event| event.public_view_on(&board, anonymous))
            .collect();
        let browser = Board::from_events(&public_log);
        let public = board.public_view(anonymous);
        prop_assert_eq!(&browser.contributions, &public.contributions);
        prop_assert_eq!(&browser.clusters, &board.clusters);
        prop_assert_eq!(browser.phase, board.phase);
        prop_assert_eq!(browser.seq, board.seq);
        for (seen, truth) in browser.voting_rounds.iter().zip(&board.voting_rounds) {
            prop_assert_eq!(&seen.tally, &truth.tally);
            prop_assert_eq!(&seen.results, &truth.results);
            if truth.secret {
                prop_assert!(seen.ballots.is_empty());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        // Integration tests have no lib.rs beside them to anchor regression files; a failure
        // prints its minimal case instead.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sessions_never_panic_and_fold_deterministically(
        steps in prop::collection::vec(step(), 1..120)
    ) {
        let mut session = the_room();
        session.extend(some_needs());
        session.extend(steps);
        run_session(&session)?;
    }

    #[test]
    fn random_voting_keeps_every_ballot_within_its_rules(
        ballot in prop::sample::select(vec![BallotUnit::Person, BallotUnit::Organisation]),
        secret in any::<bool>(),
        hide_results in any::<bool>(),
        (dots, max) in (1u32..6).prop_flat_map(|dots| (Just(dots), 1..=dots)),
        steps in prop::collection::vec(voting_step(), 1..80)
    ) {
        let mut session = a_round(ballot, secret, hide_results, dots, max);
        session.extend(steps);
        run_session(&session)?;
    }
}
