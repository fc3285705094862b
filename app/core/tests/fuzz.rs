//! Fuzzing, bounded in time (proptest, since cargo-fuzz needs a nightly compiler): the
//! websocket/HTTP protocol decoder and command validation (`authorize`, then `decide`) get
//! random and mutated input for `TAVOLI_FUZZ_SECONDS` per target (10 by default; the test
//! command uses 60; a long run: `TAVOLI_FUZZ_SECONDS=3600 cargo test -p tavoli-core --test fuzz`).
//! Nothing may panic, every refusal is typed, and what decodes re-encodes to the same value.

use std::time::{Duration, Instant};

use proptest::{
    prelude::*,
    test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner},
};
use serde_json::{Map, Value, json};
use tavoli_core::{
    Action, Actor, Board, Command, Context, Event, EventKind, Lang, OrganisationKind, Role,
    Standing, authorize, decide,
    protocol::{self, ClientMessage},
};
use uuid::Uuid;

fn seconds() -> u64 {
    std::env::var("TAVOLI_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

/// Runs `test` on values of `strategy` until the time is up, with a fresh seed per batch
/// (printed on failure, so a finding can be replayed).
fn for_a_while<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) where
    S::Value: std::fmt::Debug,
{
    let deadline = Instant::now() + Duration::from_secs(seconds());
    let mut cases = 0u64;
    let mut batch = 0u64;
    while Instant::now() < deadline || batch == 0 {
        let seed_value = (batch + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&seed_value.to_le_bytes());
        let config = Config {
            cases: 256,
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
        if let Err(error) = runner.run(&strategy, &test) {
            panic!("{name}: {error} (seed {seed_value:#x})");
        }
        cases += 256;
        batch += 1;
    }
    eprintln!("{name}: {cases} cases in {} s", seconds());
}

/// Any JSON value, nested a little, with the awkward numbers and strings.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
        "[a-z_]{0,12}".prop_map(Value::from),
        Just(Value::from("x".repeat(70_000))),
        Just(Value::from(Uuid::from_u128(7).to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,20}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Field names commands use, so random objects often look almost right.
const FIELDS: &[&str] = &[
    "kind",
    "text",
    "on_behalf_of",
    "contribution_id",
    "cluster_id",
    "title",
    "contribution_ids",
    "policy_areas",
    "targets",
    "phase",
    "seconds",
    "round",
    "dots_per_voter",
    "max_per_contribution",
    "ballot",
    "secret",
    "hide_results",
    "organisation",
    "organisation_kind",
];

/// A message that is nearly a command: a real type, a command id (or not), random fields.
fn near_command() -> impl Strategy<Value = String> {
    (
        prop::sample::select(Command::TYPE_NAMES.to_vec()),
        prop_oneof![
            4 => Just(Value::from(Uuid::from_u128(42).to_string())),
            1 => json_value(),
        ],
        prop::collection::vec((prop::sample::select(FIELDS.to_vec()), json_value()), 0..6),
    )
        .prop_map(|(type_name, command_id, fields)| {
            let mut object = Map::new();
            object.insert("type".into(), Value::from(type_name));
            object.insert("command_id".into(), command_id);
            for (name, value) in fields {
                object.insert(name.into(), value);
            }
            Value::Object(object).to_string()
        })
}

/// A valid message, then cut, padded or with one character changed.
fn mutated() -> impl Strategy<Value = String> {
    let valid =
        json!({"type": "add_contribution", "command_id": Uuid::from_u128(1), "kind": "need",
                       "text": "Mancano spazi per i giovani"})
        .to_string();
    (0usize..valid.len(), any::<char>(), 0u8..3).prop_map(move |(at, c, how)| {
        let mut text = valid.clone();
        let at = (0..=at)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        match how {
            0 => text.truncate(at),
            1 => text.insert(at, c),
            _ => {
                text.truncate(at);
                text.push(c);
                text.push_str(&valid[at..]);
            }
        }
        text
    })
}

fn any_message() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => near_command(),
        2 => mutated(),
        1 => any::<String>(),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => Just("{\"type\":\"ping\"}".to_string()),
    ]
}

const CODES: &[&str] = &[
    "message_too_large",
    "malformed_message",
    "unknown_type",
    "invalid_field",
    "not_allowed",
];

#[test]
fn the_protocol_decoder_never_panics_and_refuses_with_typed_errors() {
    for_a_while("decoder", any_message(), |text| {
        for lang in [Lang::It, Lang::En] {
            match protocol::parse_client_message(&text, lang) {
                Ok(ClientMessage::Command(envelope)) => {
                    // What decodes re-encodes to the same value.
                    let again = serde_json::to_string(&envelope).unwrap();
                    match protocol::parse_client_message(&again, lang) {
                        Ok(ClientMessage::Command(back)) => prop_assert_eq!(back, envelope),
                        other => prop_assert!(false, "re-encoded command not decoded: {other:?}"),
                    }
                }
                Ok(ClientMessage::Ping) => {}
                Err(error) => {
                    prop_assert!(CODES.contains(&error.code.as_str()), "code {}", error.code);
                    prop_assert!(!error.message.is_empty());
                }
            }
        }
        Ok(())
    });
}

/// A small board: a meeting, two participants, two cards.
fn board() -> Board {
    let command = |n: u128| Some(Uuid::from_u128(n));
    let kinds = vec![
        EventKind::ParticipantJoined {
            participant_id: "anna".into(),
            organisation: "Auser".into(),
            organisation_kind: OrganisationKind::Odv,
        },
        EventKind::ParticipantJoined {
            participant_id: "marco".into(),
            organisation: "Caritas".into(),
            organisation_kind: OrganisationKind::Altro,
        },
    ];
    let mut events: Vec<Event> = Vec::new();
    for (i, kind) in kinds.into_iter().enumerate() {
        events.push(Event {
            seq: i as u64 + 1,
            command_id: command(i as u128 + 100),
            actor: None,
            at: 1,
            v: tavoli_core::EVENT_SCHEMA_VERSION,
            kind,
        });
    }
    let mut board = Board::from_events(&events);
    for (n, text) in [(1u128, "Prima"), (2, "Seconda")] {
        let ctx = Context {
            now_ms: 2,
            command_id: Uuid::from_u128(n),
        };
        let add = Command::AddContribution {
            kind: tavoli_core::ContributionKind::Need,
            text: text.into(),
            on_behalf_of: None,
        };
        let kinds = decide(&board, &Actor::participant("anna"), &add, &ctx).unwrap();
        for kind in kinds {
            let event = Event {
                seq: board.seq + 1,
                command_id: Some(ctx.command_id),
                actor: Some(Actor::participant("anna")),
                at: 2,
                v: tavoli_core::EVENT_SCHEMA_VERSION,
                kind,
            };
            tavoli_core::apply(&mut board, &event);
        }
    }
    board
}

#[test]
fn command_validation_never_panics_and_never_lets_a_refused_caller_through() {
    let board = board();
    let standings = prop::sample::select(Standing::ALL.to_vec());
    let participant =
        prop::sample::select(vec![None, Some("anna"), Some("marco"), Some("nessuno")]);
    for_a_while(
        "validation",
        (near_command(), standings, participant),
        |(text, standing, participant)| {
            let Ok(ClientMessage::Command(envelope)) =
                protocol::parse_client_message(&text, Lang::En)
            else {
                return Ok(());
            };
            let ctx = Context {
                now_ms: 10,
                command_id: envelope.command_id,
            };
            match authorize(standing, Action::Command(&envelope.command)) {
                Err(_) => {
                    let refused_by_the_table = standing.role().is_none_or(|role| {
                        !tavoli_core::permission::may_send(role, &envelope.command)
                    });
                    prop_assert!(refused_by_the_table);
                }
                Ok(role) => {
                    let role = role.expect("a command is only allowed with a role");
                    prop_assert!(tavoli_core::permission::may_send(role, &envelope.command));
                    let actor = Actor {
                        role,
                        participant_id: participant.map(str::to_owned),
                        user_id: (role != Role::Participant).then(|| "staff".to_owned()),
                    };
                    match decide(&board, &actor, &envelope.command, &ctx) {
                        Ok(events) => {
                            prop_assert!(!events.is_empty(), "accepted commands produce events")
                        }
                        Err(error) => prop_assert!(!error.code().is_empty()),
                    }
                }
            }
            Ok(())
        },
    );
}
