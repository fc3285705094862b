//! Issue 4, convergence: simulated clients send random commands (good and bad), drop their
//! sockets at random and reconnect with `since`; each ends with exactly the server's board,
//! folded by the same reducer from the events it received. No event lost, none duplicated,
//! order kept.

use futures_util::StreamExt;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};
use serde_json::{Value, json};
use tavoli_core::{Board, Event, apply};
use tavoli_tests::{Client, Live, TestApp, command_id};

/// One simulated device: its identity, its socket (when connected) and its own board.
struct Device {
    client: Client,
    live: Option<Live>,
    board: Board,
}

impl Device {
    /// Applies every event already waiting on the socket, checking order as it goes.
    async fn drain(&mut self, wait_for: Option<u64>) {
        let Some(live) = self.live.as_mut() else {
            return;
        };
        loop {
            if wait_for.is_some_and(|seq| self.board.seq >= seq) {
                return;
            }
            let timeout = if wait_for.is_some() { 10_000 } else { 1 };
            let next = tokio::time::timeout(
                std::time::Duration::from_millis(timeout),
                live.socket.next(),
            )
            .await;
            let Ok(Some(Ok(message))) = next else {
                assert!(
                    wait_for.is_none(),
                    "events stopped arriving before seq {wait_for:?} (at {})",
                    self.board.seq
                );
                return;
            };
            let tokio_tungstenite::tungstenite::Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if value.get("seq").is_none() || value["type"] == "ack" || value["type"] == "welcome" {
                continue;
            }
            let event: Event =
                serde_json::from_value(value).expect("events parse with the core's types");
            assert_eq!(
                event.seq,
                self.board.seq + 1,
                "events arrive in order with no gap and no duplicate"
            );
            apply(&mut self.board, &event);
        }
    }

    async fn connect(&mut self) {
        self.live = Some(self.client.live(self.board.seq).await);
    }
}

/// A random command: mostly valid, some refused by the rules, a few malformed.
fn random_command(rng: &mut StdRng, board: &Board, facilitator: bool) -> Value {
    let cards: Vec<&String> = board
        .contributions
        .iter()
        .map(|c| &c.contribution_id)
        .collect();
    let clusters: Vec<&String> = board.clusters.iter().map(|c| &c.cluster_id).collect();
    let pick = |rng: &mut StdRng, ids: &[&String]| {
        ids.choose(rng)
            .map(|s| s.to_string())
            .unwrap_or_else(|| "sconosciuto".into())
    };
    let kinds = ["need", "resource", "proposal"];
    match rng.random_range(0..100) {
        0..=44 => {
            json!({"type": "add_contribution", "command_id": command_id(), "kind": kinds[rng.random_range(0..3)],
                          "text": format!("Scheda {}", rng.random_range(0..10_000))})
        }
        45..=54 => {
            json!({"type": "edit_contribution", "command_id": command_id(), "contribution_id": pick(rng, &cards),
                           "text": format!("Testo rivisto {}", rng.random_range(0..100))})
        }
        55..=59 => {
            json!({"type": "withdraw_contribution", "command_id": command_id(), "contribution_id": pick(rng, &cards)})
        }
        60..=69 if facilitator => {
            json!({"type": "create_cluster", "command_id": command_id(), "title": format!("Gruppo {}", rng.random_range(0..50))})
        }
        70..=84 if facilitator => {
            json!({"type": "move_contribution", "command_id": command_id(), "contribution_id": pick(rng, &cards),
                           "cluster_id": if rng.random_bool(0.8) { Value::String(pick(rng, &clusters)) } else { Value::Null }})
        }
        85..=89 if facilitator => {
            json!({"type": "hide_contribution", "command_id": command_id(), "contribution_id": pick(rng, &cards)})
        }
        90..=94 => json!({"type": "create_cluster", "command_id": command_id(), "title": ""}),
        _ => {
            json!({"type": "add_contribution", "command_id": command_id(), "kind": "need", "text": "   "})
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_client_ends_with_the_servers_board_after_random_commands_and_disconnects() {
    let seeds: u64 = std::env::var("TAVOLI_CONVERGENCE_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    for seed in 0..seeds {
        run_one(seed).await;
    }
}

async fn run_one(seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let mut devices = Vec::new();
    devices.push(Device {
        client: app.staff(&table).await,
        live: None,
        board: Board::default(),
    });
    for name in ["Anna", "Bruno", "Carla", "Dario"] {
        let client = app.join(&table, name, &format!("Ente {name}")).await;
        devices.push(Device {
            client,
            live: None,
            board: Board::default(),
        });
    }
    for device in devices.iter_mut() {
        device.connect().await;
    }
    // The facilitator starts grouping half-way, so cluster commands meet both phases.
    for step in 0..240 {
        let index = rng.random_range(0..devices.len());
        if step == 120 {
            let phase = json!({"type": "set_phase", "command_id": command_id(), "phase": "group"});
            assert_eq!(devices[0].client.send(&phase).await.0, 200);
        }
        let action = rng.random_range(0..100);
        let device = &mut devices[index];
        if action < 8 {
            // An abrupt disconnect: the socket is dropped without a close frame.
            device.live = None;
        } else if device.live.is_none() && action < 40 {
            device.connect().await;
        } else {
            let command = random_command(&mut rng, &device.board, index == 0);
            let over_socket = device.live.is_some() && rng.random_bool(0.5);
            if over_socket {
                device.live.as_mut().unwrap().send(&command).await;
            } else {
                let (status, body) = device.client.send(&command).await;
                assert!(
                    status == 200 || (400..500).contains(&status),
                    "a command is stored or refused cleanly: {status} {body}"
                );
                // A retry of the same command changes nothing.
                if status == 200 && rng.random_bool(0.2) {
                    let (again, body2) = device.client.send(&command).await;
                    assert_eq!((again, &body2["seq"]), (200, &body["seq"]));
                }
            }
        }
        device.drain(None).await;
    }
    let server_board = devices[0].client.board().await;
    let last = server_board["seq"].as_u64().unwrap();
    for (i, device) in devices.iter_mut().enumerate() {
        if device.live.is_none() {
            device.connect().await;
        }
        device.drain(Some(last)).await;
        let mine = serde_json::to_value(&device.board).unwrap();
        for field in ["seq", "phase", "contributions", "clusters"] {
            assert_eq!(
                mine[field], server_board[field],
                "seed {seed}, device {i}: `{field}` equals the server's"
            );
        }
    }
    assert!(
        last > 50,
        "seed {seed}: the run produced a real board ({last} events)"
    );
}
