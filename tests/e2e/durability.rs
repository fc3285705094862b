//! Issue 4, durability: kill -9 the server in the middle of a burst, restart it on the same
//! database, and find every acknowledged event there, the sequence gap-free and no command twice.
//!
//! `TAVOLI_DURABILITY_ROUNDS` sets how many random kill points to try (default 40; the longer
//! documented run in docs/BENCHMARKS.md uses 300).

use std::{
    collections::{HashMap, HashSet},
    process::Stdio,
    time::Duration,
};

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use tavoli_tests::{add_need, tavoli_bin};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

struct Server {
    child: Child,
    url: String,
}

async fn start(data_dir: &std::path::Path, database_url: &str) -> Server {
    let mut child = Command::new(tavoli_bin())
        .arg("serve")
        .env("TAVOLI_ADDR", "127.0.0.1:0")
        .env("TAVOLI_DATA_DIR", data_dir)
        .env("TAVOLI_LOG", "error")
        .env("TAVOLI_DATABASE_URL", database_url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("tavoli starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(url) = line.strip_prefix("Tavoli is serving at ") {
                return url.to_string();
            }
        }
        panic!("the server ended before printing its address");
    })
    .await
    .expect("the server starts within 30 s");
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server { child, url }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Staff account, process, roundtable and three participants; returns (roundtable id, tokens).
async fn set_up(data_dir: &std::path::Path, database_url: &str) -> (String, Vec<String>) {
    let status = std::process::Command::new(tavoli_bin())
        .args([
            "admin",
            "create",
            "--email",
            "udp@durata.example",
            "--password",
            "password-lunga",
        ])
        .env("TAVOLI_DATA_DIR", data_dir)
        .env("TAVOLI_DATABASE_URL", database_url)
        .output()
        .unwrap();
    assert!(status.status.success());
    let server = start(data_dir, database_url).await;
    let client = http();
    let login: Value = client
        .post(format!("{}/api/login", server.url))
        .json(&json!({"email": "udp@durata.example", "password": "password-lunga"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let staff = login["token"].as_str().unwrap().to_string();
    let process: Value = client
        .post(format!("{}/api/processes", server.url))
        .bearer_auth(&staff)
        .json(&json!({"title": "Durata", "owner": "Ambito", "kind": "co_programmazione"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let table: Value = client
        .post(format!(
            "{}/api/processes/{}/roundtables",
            server.url,
            process["id"].as_str().unwrap()
        ))
        .bearer_auth(&staff)
        .json(&json!({"title": "Tavolo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for name in ["Anna", "Bruno", "Carla"] {
        let joined: Value = client
            .post(format!("{}/api/join", server.url))
            .json(&json!({"join_code": table["join_code"], "name": name, "organisation": format!("Ente {name}"),
                "organisation_kind": "odv", "consent": true}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(joined["token"].as_str().unwrap().to_string());
    }
    let mut server = server;
    server.child.kill().await.unwrap();
    (table["id"].as_str().unwrap().to_string(), tokens)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_event_survives_kill_9_at_random_moments() {
    let rounds: usize = std::env::var("TAVOLI_DURABILITY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let seed: u64 = std::env::var("TAVOLI_DURABILITY_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x7a01);
    let mut rng = StdRng::seed_from_u64(seed);
    let data = tempfile::tempdir().unwrap();
    let database_url = tavoli_tests::fresh_database_url(data.path()).await;
    let (roundtable_id, tokens) = set_up(data.path(), &database_url).await;
    // Everything acknowledged so far, across all rounds: command_id -> seq.
    let mut acked: HashMap<String, u64> = HashMap::new();
    for round in 0..rounds {
        let mut server = start(data.path(), &database_url).await;
        let kill_after = Duration::from_millis(rng.random_range(5..250));
        let mut senders = tokio::task::JoinSet::new();
        for token in &tokens {
            let (url, token, roundtable_id) =
                (server.url.clone(), token.clone(), roundtable_id.clone());
            // Several commands in flight per client, as a phone flushing its outbox would do.
            for lane in 0..4 {
                let (url, token, roundtable_id) =
                    (url.clone(), token.clone(), roundtable_id.clone());
                senders.spawn(async move {
                    let client = http();
                    let mut mine = Vec::new();
                    for i in 0.. {
                        let command = add_need(&format!("round {round} lane {lane} card {i}"));
                        let response = client
                            .post(format!("{url}/api/roundtables/{roundtable_id}/commands"))
                            .bearer_auth(&token)
                            .json(&command)
                            .send()
                            .await;
                        match response {
                            Ok(r) if r.status() == 200 => match r.json::<Value>().await {
                                Ok(body) => mine.push((
                                    command["command_id"].as_str().unwrap().to_string(),
                                    body["seq"].as_u64().unwrap(),
                                )),
                                Err(_) => break,
                            },
                            _ => break,
                        }
                    }
                    mine
                });
            }
        }
        tokio::time::sleep(kill_after).await;
        server.child.start_kill().unwrap();
        server.child.wait().await.unwrap();
        while let Some(result) = senders.join_next().await {
            for (command_id, seq) in result.unwrap() {
                acked.insert(command_id, seq);
            }
        }

        // Restart on the same file and read the whole log back, page by page: one call
        // answers at most 5,000 events, and a long run (300 rounds) writes more than that.
        let mut server = start(data.path(), &database_url).await;
        let mut events: Vec<Value> = Vec::new();
        loop {
            let since = events.last().map_or(0, |e| e["seq"].as_u64().unwrap());
            let body: Value = http()
                .get(format!(
                    "{}/api/roundtables/{roundtable_id}/events?since={since}",
                    server.url
                ))
                .bearer_auth(&tokens[0])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let page = body["events"].as_array().unwrap();
            if page.is_empty() {
                break;
            }
            events.extend(page.iter().cloned());
        }
        let seqs: Vec<u64> = events.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
        let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
        assert_eq!(
            seqs, expected,
            "round {round}: the sequence is gap-free from 1"
        );
        let mut seen = HashSet::new();
        let mut by_command: HashMap<&str, u64> = HashMap::new();
        for event in &events {
            if let Some(command_id) = event["command_id"].as_str() {
                assert!(
                    seen.insert(command_id),
                    "round {round}: command {command_id} applied twice"
                );
                by_command.insert(command_id, event["seq"].as_u64().unwrap());
            }
        }
        for (command_id, seq) in &acked {
            assert_eq!(
                by_command.get(command_id.as_str()),
                Some(seq),
                "round {round}: acknowledged command {command_id} is in the log at its seq"
            );
        }
        server.child.start_kill().unwrap();
        server.child.wait().await.unwrap();
    }
    assert!(
        acked.len() > rounds,
        "the bursts did acknowledge commands ({} in {rounds} rounds)",
        acked.len()
    );
    eprintln!(
        "durability: {rounds} kill points, {} acknowledged commands, all present",
        acked.len()
    );
}
