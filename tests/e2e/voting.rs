//! Issue 6, voting rounds: the rules through the real server, coalesced tallies, timed rounds,
//! secrecy, and a random-ballot check that the live tally, the log's recount and the board's
//! figures agree.

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};
use tavoli_tests::{Client, Table, TestApp, add_need, command_id};

async fn join_as(
    app: &TestApp,
    table: &Table,
    name: &str,
    organisation: &str,
    kind: &str,
) -> Client {
    let response = app
        .http
        .post(app.url("/api/join"))
        .json(
            &json!({"join_code": table.join_code, "name": name, "organisation": organisation,
                      "organisation_kind": kind, "consent": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    Client {
        base_url: app.base_url.clone(),
        token: body["token"].as_str().unwrap().into(),
        participant_id: Some(body["participant_id"].as_str().unwrap().into()),
        roundtable_id: table.id.clone(),
    }
}

/// Adds `n` proposals by `author`; returns their ids.
async fn proposals(author: &Client, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..n {
        let command = json!({"type": "add_contribution", "command_id": command_id(), "kind": "proposal", "text": format!("Proposta {i}")});
        assert_eq!(author.send(&command).await.0, 200);
        ids.push(command["command_id"].as_str().unwrap().to_string());
    }
    ids
}

fn open_voting(ids: &[String], dots: u32, max: u32, ballot: &str, secret: bool) -> Value {
    json!({"type": "open_voting", "command_id": command_id(), "contribution_ids": ids, "dots_per_voter": dots,
           "max_per_contribution": max, "ballot": ballot, "secret": secret})
}

fn vote(round: u32, card: &str) -> Value {
    json!({"type": "cast_vote", "command_id": command_id(), "round": round, "contribution_id": card})
}

fn retract(round: u32, card: &str) -> Value {
    json!({"type": "retract_vote", "command_id": command_id(), "round": round, "contribution_id": card})
}

#[tokio::test]
async fn bad_ballots_are_refused_with_a_clear_code_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let staff = app.staff(&table).await;
    let anna = join_as(&app, &table, "Anna", "Auser", "odv").await;
    let bruno = join_as(&app, &table, "Bruno", " auser ", "odv").await;
    let ids = proposals(&anna, 3).await;
    let outside = add_need("Fuori dalla votazione");
    anna.send(&outside).await;
    let outside = outside["command_id"].as_str().unwrap().to_string();

    // Before any round.
    let (status, body) = anna.send(&vote(1, &ids[0])).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("unknown_round")),
        "{body}"
    );

    assert_eq!(
        staff
            .send(&open_voting(&ids, 2, 1, "organisation", false))
            .await
            .0,
        200
    );
    let cases: Vec<(&str, &Client, Value, &str)> = vec![
        (
            "a card outside the round",
            &anna,
            vote(1, &outside),
            "not_in_round",
        ),
        (
            "a facilitator who has not joined",
            &staff,
            vote(1, &ids[0]),
            "not_a_participant",
        ),
    ];
    for (what, who, command, code) in cases {
        let before = staff.board().await;
        let (status, body) = who.send(&command).await;
        assert!((400..500).contains(&status), "{what}: {status}");
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        assert_eq!(staff.board().await, before, "{what}: nothing stored");
    }
    // Anna and Bruno are one organisation ("Auser" and " auser "): one ballot of 2 dots, at
    // most 1 per card.
    assert_eq!(anna.send(&vote(1, &ids[0])).await.0, 200);
    let (_, body) = bruno.send(&vote(1, &ids[0])).await;
    assert_eq!(
        body["error"]["code"], "max_per_card_reached",
        "the shared ballot already has its dot here: {body}"
    );
    assert_eq!(bruno.send(&vote(1, &ids[1])).await.0, 200);
    let (_, body) = anna.send(&vote(1, &ids[2])).await;
    assert_eq!(
        body["error"]["code"], "no_dots_left",
        "the organisation's two dots are spent: {body}"
    );
    // A dot is taken back only by the member who cast it.
    let (_, body) = anna.send(&retract(1, &ids[1])).await;
    assert_eq!(body["error"]["code"], "no_dot_to_retract", "{body}");
    assert_eq!(bruno.send(&retract(1, &ids[1])).await.0, 200);

    let close = json!({"type": "close_voting", "command_id": command_id(), "round": 1});
    let (status, _) = staff.send(&close).await;
    assert_eq!(status, 200);
    let (_, body) = anna.send(&vote(1, &ids[1])).await;
    assert_eq!(
        body["error"]["code"], "voting_closed",
        "after close: {body}"
    );
    let events = staff.events(0).await;
    let closed = events
        .iter()
        .find(|e| e["type"] == "voting_closed")
        .unwrap();
    assert_eq!(closed["results"][0]["contribution_id"], ids[0]);
    assert_eq!(closed["results"][0]["dots"], 1);
    assert_eq!(
        closed["results"][1]["rank"], 2,
        "zero-dot cards share the next rank"
    );
    assert_eq!(closed["results"][2]["rank"], 2);
}

#[tokio::test]
async fn a_secret_round_never_shows_who_voted_what() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let staff = app.staff(&table).await;
    let anna = join_as(&app, &table, "Anna", "Auser", "odv").await;
    let ids = proposals(&anna, 2).await;
    staff.send(&open_voting(&ids, 3, 2, "person", true)).await;
    let mut observer = staff.live(0).await;
    assert_eq!(anna.send(&vote(1, &ids[1])).await.0, 200);
    let anna_id = anna.participant_id.clone().unwrap();
    for event in staff
        .events(0)
        .await
        .iter()
        .filter(|e| e["type"] == "vote_cast")
    {
        assert!(
            event.get("participant_id").is_none_or(Value::is_null),
            "no voter in the log's public form: {event}"
        );
        assert!(
            !event.to_string().contains(&anna_id),
            "the voter's id appears nowhere: {event}"
        );
    }
    let board = staff.board().await;
    assert!(
        !board["voting_rounds"].to_string().contains(&anna_id),
        "no voter on the board: {board}"
    );
    loop {
        let message = observer.next_json().await;
        if message["type"] == "vote_cast" {
            assert!(
                !message.to_string().contains(&anna_id),
                "no voter on the socket"
            );
            break;
        }
    }
    // The voter learns her own dots on reconnecting.
    let mut mine = anna.live(0).await;
    loop {
        let message = mine.next_json().await;
        if message["type"] == "your_ballot" {
            assert_eq!(message["dots"][0]["contribution_id"], ids[1]);
            assert_eq!(message["dots_left"], 2);
            break;
        }
    }
}

#[tokio::test]
async fn a_timed_round_is_closed_by_the_server_when_its_time_is_up() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let staff = app.staff(&table).await;
    let anna = join_as(&app, &table, "Anna", "Auser", "odv").await;
    let ids = proposals(&anna, 2).await;
    let mut command = open_voting(&ids, 3, 2, "person", false);
    command["seconds"] = json!(1);
    assert_eq!(staff.send(&command).await.0, 200);
    anna.send(&vote(1, &ids[0])).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let board = staff.board().await;
        if board["voting_rounds"][0]["status"] == "closed" {
            assert_eq!(
                board["voting_rounds"][0]["results"][0]["contribution_id"],
                ids[0]
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the round closes within seconds of its deadline"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let closes = staff
        .events(0)
        .await
        .into_iter()
        .filter(|e| e["type"] == "voting_closed")
        .count();
    assert_eq!(closes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_ballots_live_tally_log_recount_and_board_agree() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let staff = app.staff(&table).await;
    let mut voters = Vec::new();
    for i in 0..12 {
        let organisation = ["Auser", "Caritas", "Acli", "Anffas", "Arci", "Uildm"][i % 6];
        let kind = if i == 11 { "cittadino" } else { "aps" };
        voters.push(join_as(&app, &table, &format!("Persona {i}"), organisation, kind).await);
    }
    let ids = proposals(&voters[0], 5).await;
    assert_eq!(
        staff
            .send(&open_voting(&ids, 5, 3, "organisation", false))
            .await
            .0,
        200
    );
    let mut observer = staff.live(0).await;
    let mut rng = StdRng::seed_from_u64(6);
    let mut tasks = tokio::task::JoinSet::new();
    for voter in voters.clone() {
        let plan: Vec<(bool, usize)> = (0..15)
            .map(|_| (rng.random_bool(0.75), rng.random_range(0..ids.len())))
            .collect();
        let ids = ids.clone();
        tasks.spawn(async move {
            for (cast, card) in plan {
                let command = if cast {
                    vote(1, &ids[card])
                } else {
                    retract(1, &ids[card])
                };
                let (status, body) = voter.send(&command).await;
                assert!(
                    status == 200 || status == 422 || status == 404,
                    "{status} {body}"
                );
            }
        });
    }
    let started = std::time::Instant::now();
    while let Some(result) = tasks.join_next().await {
        result.unwrap();
    }
    let burst = started.elapsed();
    // Recount from the log.
    let mut recount: BTreeMap<String, i64> = ids.iter().map(|id| (id.clone(), 0)).collect();
    let events = staff.events(0).await;
    for event in &events {
        let delta = match event["type"].as_str() {
            Some("vote_cast") => 1,
            Some("vote_retracted") => -1,
            _ => continue,
        };
        *recount
            .get_mut(event["contribution_id"].as_str().unwrap())
            .unwrap() += delta;
    }
    // The last tally the room was sent, waiting for it to settle.
    let mut tallies = 0;
    let live: BTreeMap<String, i64> = loop {
        let message = observer.next_json().await;
        if message["type"] != "tally" {
            continue;
        }
        tallies += 1;
        let figures: BTreeMap<String, i64> = message["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["contribution_id"].as_str().unwrap().to_string(),
                    r["dots"].as_i64().unwrap(),
                )
            })
            .collect();
        if figures == recount {
            break figures;
        }
    };
    let board = staff.board().await;
    let on_board: BTreeMap<String, i64> = board["voting_rounds"][0]["tally"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, dots)| (id.clone(), dots.as_i64().unwrap()))
        .filter(|(_, dots)| *dots > 0)
        .collect();
    let nonzero: BTreeMap<String, i64> = recount
        .iter()
        .filter(|(_, d)| **d > 0)
        .map(|(k, v)| (k.clone(), *v))
        .collect();
    assert_eq!(
        live, recount,
        "the live tally equals the recount from the log"
    );
    assert_eq!(on_board, nonzero, "the board's tally equals the recount");
    // Closed, the round's figures reach the open data unchanged: the export says the same.
    let close = json!({"type": "close_voting", "command_id": command_id(), "round": 1});
    assert_eq!(staff.send(&close).await.0, 200);
    let export: Value = app
        .http
        .get(app.url(&format!("/api/processes/{}/export.json", table.process_id)))
        .bearer_auth(&staff.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let exported: BTreeMap<String, i64> = export["roundtables"][0]["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ids.contains(&c["id"].as_str().unwrap().to_string()))
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["votes"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        exported, recount,
        "the exported figures equal the recount from the log"
    );
    let ballots = events
        .iter()
        .filter(|e| e["type"] == "vote_cast" || e["type"] == "vote_retracted")
        .count();
    // Coalesced: far fewer tally messages than ballots (at most one per 200 ms, plus the last).
    let bound = (burst.as_millis() / 200 + 3) as usize;
    assert!(
        tallies <= bound,
        "{tallies} tally messages for {ballots} ballots in {burst:?}"
    );
    assert!(ballots > 30, "the burst really voted ({ballots} ballots)");
}
