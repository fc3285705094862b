//! The given/when/then harness and the cast of characters the rule tests share.

use tavoli_core::{
    Actor, BallotUnit, Board, Command, Context, ContributionKind, DomainError, Event, EventKind,
    OrganisationKind, Phase, Role, apply, decide, entity_id,
};
use uuid::Uuid;

/// The server clock every scenario runs at, unless a test moves it.
pub const NOW: i64 = 1_760_000_000_000;
/// The command id of the command under test.
pub const WHEN_ID: u128 = 999;

/// Anna and Lucia both speak for Auser; Marco for Caritas; Gino is a citizen.
pub fn anna() -> Actor {
    Actor::participant("anna")
}
pub fn lucia() -> Actor {
    Actor::participant("lucia")
}
pub fn marco() -> Actor {
    Actor::participant("marco")
}
pub fn gino() -> Actor {
    Actor::participant("gino")
}
pub fn stranger() -> Actor {
    Actor::participant("stranger")
}
pub fn facilitator() -> Actor {
    Actor::staff(Role::Facilitator, "user-facilitator")
}
pub fn planning_office() -> Actor {
    Actor::staff(Role::PlanningOffice, "user-udp")
}
pub fn observer() -> Actor {
    Actor::staff(Role::Observer, "user-observer")
}

/// The id of whatever command `n` created (a card, a cluster, a meeting).
pub fn id(n: u128) -> String {
    entity_id(Uuid::from_u128(n))
}

/// One command in a scenario's history.
pub struct Step {
    actor: Actor,
    number: Option<u128>,
    command: Command,
}

pub fn by(actor: Actor, command: Command) -> Step {
    Step {
        actor,
        number: None,
        command,
    }
}

/// A step whose command id is `n`, so what it creates is `id(n)`.
pub fn numbered(n: u128, actor: Actor, command: Command) -> Step {
    Step {
        actor,
        number: Some(n),
        command,
    }
}

pub fn join(actor: Actor, organisation: &str, kind: OrganisationKind) -> Step {
    by(
        actor,
        Command::Join {
            organisation: organisation.into(),
            organisation_kind: kind,
        },
    )
}

/// Anna and Lucia (Auser, ODV), Marco (Caritas, APS) and Gino (citizen) join.
pub fn the_room() -> Vec<Step> {
    vec![
        join(anna(), "Auser", OrganisationKind::Odv),
        join(lucia(), " auser ", OrganisationKind::Odv),
        join(marco(), "Caritas", OrganisationKind::Aps),
        join(gino(), "", OrganisationKind::Cittadino),
    ]
}

pub fn add(n: u128, actor: Actor, kind: ContributionKind, text: &str) -> Step {
    numbered(n, actor, add_command(kind, text))
}

pub fn add_command(kind: ContributionKind, text: &str) -> Command {
    Command::AddContribution {
        kind,
        text: text.into(),
        on_behalf_of: None,
    }
}

pub fn set_phase(phase: Phase) -> Step {
    by(facilitator(), Command::SetPhase { phase })
}

pub fn create_cluster(n: u128, title: &str) -> Step {
    numbered(
        n,
        facilitator(),
        Command::CreateCluster {
            title: title.into(),
        },
    )
}

pub fn open_voting_command(cards: &[u128], dots: u32, max: u32, ballot: BallotUnit) -> Command {
    Command::OpenVoting {
        contribution_ids: cards.iter().map(|n| id(*n)).collect(),
        dots_per_voter: dots,
        max_per_contribution: max,
        ballot,
        secret: false,
        hide_results: false,
        seconds: None,
    }
}

pub fn open_voting(cards: &[u128], dots: u32, max: u32, ballot: BallotUnit) -> Step {
    by(facilitator(), open_voting_command(cards, dots, max, ballot))
}

pub fn cast(actor: Actor, round: u32, card: u128) -> Step {
    by(actor, cast_command(round, card))
}

pub fn cast_command(round: u32, card: u128) -> Command {
    Command::CastVote {
        round,
        contribution_id: id(card),
    }
}

/// A board and the log that built it.
#[derive(Clone)]
pub struct Scenario {
    pub board: Board,
    pub log: Vec<Event>,
}

/// Runs each step through `decide` and `apply`, as the server would. A step that is refused
/// fails the test: a history must be reachable through the rules.
pub fn given(steps: &[Step]) -> Scenario {
    let mut scenario = Scenario {
        board: Board::default(),
        log: Vec::new(),
    };
    for (index, step) in steps.iter().enumerate() {
        let number = step.number.unwrap_or(10_000 + index as u128);
        let ctx = Context {
            now_ms: NOW,
            command_id: Uuid::from_u128(number),
        };
        let kinds =
            decide(&scenario.board, &step.actor, &step.command, &ctx).unwrap_or_else(|error| {
                panic!(
                    "given step {index} ({}) refused: {error:?}",
                    step.command.type_name()
                )
            });
        scenario.record(&step.actor, &ctx, kinds);
    }
    scenario
}

impl Scenario {
    fn record(&mut self, actor: &Actor, ctx: &Context, kinds: Vec<EventKind>) {
        for event in Event::stamp_all(self.board.seq + 1, actor, ctx, kinds) {
            apply(&mut self.board, &event);
            self.log.push(event);
        }
    }

    pub fn when(&self, actor: Actor, command: Command) -> Outcome {
        self.when_at(NOW, actor, command)
    }

    pub fn when_at(&self, now_ms: i64, actor: Actor, command: Command) -> Outcome {
        let ctx = Context {
            now_ms,
            command_id: Uuid::from_u128(WHEN_ID),
        };
        let result = decide(&self.board, &actor, &command, &ctx);
        Outcome {
            scenario: self.clone(),
            actor,
            ctx,
            result,
        }
    }
}

/// What `decide` answered, with what is needed to apply it.
pub struct Outcome {
    scenario: Scenario,
    actor: Actor,
    ctx: Context,
    result: Result<Vec<EventKind>, DomainError>,
}

impl Outcome {
    #[track_caller]
    pub fn then(self, expected: &[EventKind]) -> Board {
        assert_eq!(self.result.as_deref(), Ok(expected));
        self.board()
    }

    #[track_caller]
    pub fn then_error(self, expected: DomainError) {
        assert_eq!(self.result, Err(expected));
    }

    /// The board after the decided events are applied (the command must be accepted).
    #[track_caller]
    pub fn board(self) -> Board {
        self.scenario_after().board
    }

    #[track_caller]
    pub fn scenario_after(self) -> Scenario {
        let kinds = match self.result {
            Ok(kinds) => kinds,
            Err(error) => panic!("refused: {error:?}"),
        };
        assert!(!kinds.is_empty(), "decide accepted with no events");
        let mut scenario = self.scenario;
        scenario.record(&self.actor, &self.ctx, kinds);
        scenario
    }

    #[track_caller]
    pub fn events(self) -> Vec<EventKind> {
        self.result.expect("refused")
    }
}
