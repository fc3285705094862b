//! Issue 10: two server instances on one PostgreSQL database. Clients on each, concurrent
//! commands on both; every client ends with the same board, the log has no gap and no
//! duplicate; when one instance dies, its clients reconnect to the survivor and lose nothing.

use std::collections::HashSet;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tavoli_core::{Board, Event, apply};
use tavoli_tests::{
    Client, Live, TestApp, add_need, fresh_postgres_database, postgres_server_url_or_default,
};

/// A client's view: its board folded from the events its socket delivered.
struct Viewer {
    client: Client,
    live: Live,
    board: Board,
}

impl Viewer {
    async fn connect(client: Client, since_board: Board) -> Viewer {
        let live = client.live(since_board.seq).await;
        Viewer {
            client,
            live,
            board: since_board,
        }
    }

    /// Applies events until the board reaches `seq` (10 s at most between events).
    async fn catch_up(&mut self, seq: u64) {
        while self.board.seq < seq {
            let message =
                tokio::time::timeout(std::time::Duration::from_secs(10), self.live.socket.next())
                    .await
                    .unwrap_or_else(|_| {
                        panic!("stalled at seq {} waiting for {seq}", self.board.seq)
                    })
                    .expect("socket open")
                    .expect("no socket error");
            let tokio_tungstenite::tungstenite::Message::Text(text) = message else {
                continue;
            };
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if value.get("seq").is_none() || value["type"] == "ack" || value["type"] == "welcome" {
                continue;
            }
            let event: Event = serde_json::from_value(value).unwrap();
            assert_eq!(
                event.seq,
                self.board.seq + 1,
                "in order, no gap, no duplicate"
            );
            apply(&mut self.board, &event);
        }
    }
}

fn on(client: &Client, app: &TestApp) -> Client {
    Client {
        base_url: app.base_url.clone(),
        ..client.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_database_and_every_client_converges() {
    let database = fresh_postgres_database(&postgres_server_url_or_default()).await;
    let first = TestApp::spawn_on(tempfile::tempdir().unwrap(), &database).await;
    let second = TestApp::spawn_on(tempfile::tempdir().unwrap(), &database).await;
    let table = first.roundtable().await;
    let mut people = Vec::new();
    for name in ["Anna", "Bruno", "Carla", "Dario"] {
        people.push(first.join(&table, name, &format!("Ente {name}")).await);
    }
    // Half the people watch through the first instance, half through the second.
    let mut viewers = Vec::new();
    for (i, person) in people.iter().enumerate() {
        let app = if i % 2 == 0 { &first } else { &second };
        viewers.push(Viewer::connect(on(person, app), Board::default()).await);
    }
    // Everyone writes to both instances at once.
    let mut senders = tokio::task::JoinSet::new();
    for (i, person) in people.iter().enumerate() {
        for (j, app) in [&first, &second].into_iter().enumerate() {
            let client = on(person, app);
            senders.spawn(async move {
                let mut acked = Vec::new();
                for k in 0..25 {
                    let command = add_need(&format!("persona {i} istanza {j} scheda {k}"));
                    let (status, body) = client.send(&command).await;
                    assert_eq!(status, 200, "{body}");
                    acked.push(command["command_id"].as_str().unwrap().to_string());
                }
                acked
            });
        }
    }
    let mut acked = Vec::new();
    while let Some(result) = senders.join_next().await {
        acked.extend(result.unwrap());
    }
    let staff = first.staff(&table).await;
    let events = staff.events(0).await;
    let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=seqs.len() as u64).collect::<Vec<_>>(),
        "one gap-free sequence across instances"
    );
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| e["command_id"].as_str())
        .collect();
    assert_eq!(
        ids.len(),
        ids.iter().collect::<HashSet<_>>().len(),
        "no command twice"
    );
    for command_id in &acked {
        assert!(
            ids.contains(&command_id.as_str()),
            "acknowledged {command_id} is in the log"
        );
    }
    let last = *seqs.last().unwrap();
    let server_board = staff.board().await;
    for viewer in viewers.iter_mut() {
        viewer.catch_up(last).await;
        let mine = serde_json::to_value(&viewer.board).unwrap();
        assert_eq!(
            mine["contributions"], server_board["contributions"],
            "the same board on both instances"
        );
    }

    // The second instance dies; its viewers reconnect to the first from where they were.
    second.stop().await;
    for (i, viewer) in viewers.iter_mut().enumerate() {
        if i % 2 == 1 {
            let board = std::mem::take(&mut viewer.board);
            *viewer = Viewer::connect(on(&viewer.client, &first), board).await;
        }
    }
    for person in &people {
        let (status, _) = on(person, &first)
            .send(&add_need("dopo la caduta di un'istanza"))
            .await;
        assert_eq!(status, 200);
    }
    let last = staff.board().await["seq"].as_u64().unwrap();
    let final_board = staff.board().await;
    for viewer in viewers.iter_mut() {
        viewer.catch_up(last).await;
        assert_eq!(
            serde_json::to_value(&viewer.board).unwrap()["contributions"],
            final_board["contributions"]
        );
    }
    assert_eq!(
        final_board["contributions"].as_array().unwrap().len(),
        acked.len() + people.len()
    );
    let _ = json!(null);
}
