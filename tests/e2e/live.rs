//! Issue 4: commands become events, stored once, delivered to everyone, replayed after a gap.

use serde_json::{Value, json};
use tavoli_tests::{TestApp, add_need, command_id};

#[tokio::test]
async fn a_card_added_by_one_participant_reaches_another() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let marco = app.join(&table, "Marco", "Caritas").await;
    let mut marco_live = marco.live(2).await;
    let (status, body) = anna.send(&add_need("Mancano spazi per i giovani")).await;
    assert_eq!(status, 200, "{body}");
    let event = marco_live.next_event().await;
    assert_eq!(event["type"], "contribution_added");
    assert_eq!(event["text"], "Mancano spazi per i giovani");
    assert_eq!(event["kind"], "need");
    assert_eq!(event["seq"], body["seq"]);
}

#[tokio::test]
async fn a_command_over_the_websocket_is_acknowledged_with_its_seq() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let mut live = anna.live(0).await;
    let command = add_need("Servono trasporti per le visite mediche");
    live.send(&command).await;
    let ack = live.outcome(command["command_id"].as_str().unwrap()).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    let board = anna.board().await;
    assert_eq!(board["seq"], ack["seq"]);
    assert_eq!(
        board["contributions"][0]["text"],
        "Servono trasporti per le visite mediche"
    );
}

#[tokio::test]
async fn the_same_command_id_is_applied_once_over_either_transport() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let command = add_need("Solitudine degli anziani soli in frazione");
    let (first_status, first) = anna.send(&command).await;
    let (second_status, second) = anna.send(&command).await;
    assert_eq!((first_status, second_status), (200, 200));
    assert_eq!(
        first["seq"], second["seq"],
        "the retry is answered with the original seq"
    );
    // Again over a websocket, after reconnecting.
    let mut live = anna.live(0).await;
    live.send(&command).await;
    let ack = live.outcome(command["command_id"].as_str().unwrap()).await;
    assert_eq!(ack["seq"], first["seq"]);
    let added = anna
        .events(0)
        .await
        .into_iter()
        .filter(|e| e["type"] == "contribution_added")
        .count();
    assert_eq!(added, 1, "one card, however often it is sent");
}

#[tokio::test]
async fn a_retry_after_a_restart_is_answered_with_its_original_seq_beside_new_commands() {
    // The restarted server has no memory of the command: only the database knows it, and the
    // retry shares its batch with commands that must still be applied.
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let retried = add_need("Il centro diurno chiude alle 16");
    let (status, first) = anna.send(&retried).await;
    assert_eq!(status, 200, "{first}");
    let app = app.restart().await;
    let anna = tavoli_tests::Client {
        base_url: app.base_url.clone(),
        ..anna
    };
    let mut live = anna.live(0).await;
    let fresh = [
        add_need("Mancano educatori per il doposcuola"),
        add_need("Le famiglie non conoscono i servizi"),
    ];
    live.send(&fresh[0]).await;
    live.send(&retried).await;
    live.send(&fresh[1]).await;
    let id = |command: &Value| command["command_id"].as_str().unwrap().to_string();
    let ids = [id(&retried), id(&fresh[0]), id(&fresh[1])];
    let acks = live
        .outcomes(&ids.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    for ack in &acks {
        assert_eq!(ack["type"], "ack", "{ack}");
    }
    assert_eq!(
        acks[0]["seq"], first["seq"],
        "the retry keeps its original seq"
    );
    for ack in &acks[1..] {
        assert!(ack["seq"].as_u64() > first["seq"].as_u64(), "{ack}");
    }
    let texts: Vec<String> = anna.board().await["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        texts,
        [
            "Il centro diurno chiude alle 16",
            "Mancano educatori per il doposcuola",
            "Le famiglie non conoscono i servizi"
        ],
        "each card once, in the order stored"
    );
}

#[tokio::test]
async fn a_client_reconnecting_with_since_gets_exactly_what_it_missed_in_order() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    for i in 0..10 {
        anna.send(&add_need(&format!("Bisogno numero {i}"))).await;
    }
    let all = anna.events(0).await;
    let last: u64 = all.last().unwrap()["seq"].as_u64().unwrap();
    let mut live = anna.live(5).await;
    for expected in 6..=last {
        let event = live.next_event().await;
        assert_eq!(
            event["seq"], expected,
            "replay in order, no gap, nothing before since"
        );
    }
    anna.send(&add_need("Dopo la riconnessione")).await;
    let event = live.next_event().await;
    assert_eq!(event["seq"], last + 1);
    assert_eq!(event["text"], "Dopo la riconnessione");
}

#[tokio::test]
async fn a_slow_subscriber_still_receives_every_event() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let mut slow = anna.live(0).await;
    // More events than a room's buffer holds, while the slow client reads nothing.
    let total = 1500;
    let mut sends = tokio::task::JoinSet::new();
    for chunk in 0..10 {
        let anna = anna.clone();
        sends.spawn(async move {
            for i in 0..total / 10 {
                let (status, _) = anna.send(&add_need(&format!("Card {chunk}-{i}"))).await;
                assert_eq!(status, 200);
            }
        });
    }
    while let Some(result) = sends.join_next().await {
        result.unwrap();
    }
    let last = anna.board().await["seq"].as_u64().unwrap();
    let mut expected = 1;
    while expected <= last {
        let event = slow.next_event().await;
        assert_eq!(event["seq"], expected, "no gap, no duplicate");
        expected += 1;
    }
}

#[tokio::test]
async fn bad_input_gets_a_typed_error_in_the_callers_language_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let long_text = "a".repeat(tavoli_core::MAX_CONTRIBUTION_CHARS + 1);
    let cases: Vec<(&str, String, u16, &str)> = vec![
        ("malformed JSON", "{not json".into(), 400, "malformed_message"),
        ("an unknown type", json!({"type": "launch_rocket", "command_id": command_id()}).to_string(), 400, "unknown_type"),
        ("a missing command_id", json!({"type": "add_contribution", "kind": "need", "text": "x"}).to_string(), 400, "invalid_field"),
        ("an unknown kind", json!({"type": "add_contribution", "command_id": command_id(), "kind": "wish", "text": "x"}).to_string(), 400, "invalid_field"),
        ("empty text", add_need("   ").to_string(), 422, "empty_text"),
        ("over-long text", add_need(&long_text).to_string(), 422, "text_too_long"),
        (
            "an unknown contribution",
            json!({"type": "withdraw_contribution", "command_id": command_id(), "contribution_id": "nope"}).to_string(),
            404,
            "unknown_contribution",
        ),
        ("a facilitator command from a participant", json!({"type": "create_cluster", "command_id": command_id(), "title": "Casa"}).to_string(), 403, "not_allowed"),
    ];
    let before = anna.board().await;
    for (what, body, status, code) in cases {
        for (lang, word) in [("it", None), ("en", None::<&str>)] {
            let response = app
                .http
                .post(app.url(&format!("/api/roundtables/{}/commands", table.id)))
                .bearer_auth(&anna.token)
                .header("Accept-Language", lang)
                .header("Content-Type", "application/json")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), status, "{what}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"]["code"], code, "{what}: {error}");
            let message = error["error"]["message"].as_str().unwrap();
            assert!(!message.is_empty(), "{what}: a human-readable message");
            let _ = word;
        }
    }
    // The same refusal, in Italian and English, really differs.
    let it = refusal_message(&app, &table.id, &anna.token, "it").await;
    let en = refusal_message(&app, &table.id, &anna.token, "en").await;
    assert_ne!(it, en, "the message follows Accept-Language");
    assert_eq!(anna.board().await, before, "nothing was stored");
}

async fn refusal_message(app: &TestApp, roundtable_id: &str, token: &str, lang: &str) -> String {
    let response = app
        .http
        .post(app.url(&format!("/api/roundtables/{roundtable_id}/commands")))
        .bearer_auth(token)
        .header("Accept-Language", lang)
        .json(&add_need(""))
        .send()
        .await
        .unwrap();
    let error: Value = response.json().await.unwrap();
    error["error"]["message"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn bad_messages_on_the_websocket_get_errors_and_the_connection_stays_usable() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let mut live = anna.live(0).await;
    live.send_text("{oops").await;
    let error = loop {
        let message = live.next_json().await;
        if message["type"] == "error" {
            break message;
        }
    };
    assert_eq!(error["error"]["code"], "malformed_message");
    let command = add_need("Ancora qui");
    live.send(&command).await;
    assert_eq!(
        live.outcome(command["command_id"].as_str().unwrap()).await["type"],
        "ack"
    );
}

#[tokio::test]
async fn nobody_reads_or_writes_a_roundtable_without_the_right_credentials() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let other_table = app.roundtable().await;
    let outsider = app.join(&other_table, "Olga", "Altra APS").await;
    let intruder = tavoli_tests::Client {
        roundtable_id: table.id.clone(),
        ..outsider.clone()
    };
    let (status, body) = intruder
        .send(&add_need("Non dovrei poter scrivere qui"))
        .await;
    assert_eq!(status, 403, "{body}");
    let anonymous = tavoli_tests::Client {
        token: "not-a-token".into(),
        ..intruder.clone()
    };
    let (status, body) = anonymous.send(&add_need("Nemmeno io")).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthenticated");
    // A fresh client: `app.http` keeps the staff session cookie from the set-up.
    let response = reqwest::get(app.url(&format!("/api/roundtables/{}/board", table.id)))
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let staff = app.staff(&table).await;
    assert_eq!(
        staff.board().await["contributions"],
        json!([]),
        "nothing slipped through"
    );
}

#[tokio::test]
async fn a_websocket_from_another_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let url = format!(
        "ws://127.0.0.1:{}/api/roundtables/{}/live?since=0",
        app.port, table.id
    );
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Authorization",
        format!("Bearer {}", anna.token).parse().unwrap(),
    );
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    let error = tokio_tungstenite::connect_async(request)
        .await
        .expect_err("refused");
    match error {
        tokio_tungstenite::tungstenite::Error::Http(response) => assert_eq!(response.status(), 403),
        other => panic!("expected an HTTP 403, got {other}"),
    }
}

#[tokio::test]
async fn the_facilitator_groups_cards_and_everyone_sees_the_cluster() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let staff = app.staff(&table).await;
    let card = add_need("Caregiver familiari senza sollievo");
    anna.send(&card).await;
    let cluster = json!({"type": "create_cluster", "command_id": command_id(), "title": "Famiglia caregiver"});
    assert_eq!(staff.send(&cluster).await.0, 200);
    let moved = json!({"type": "move_contribution", "command_id": command_id(),
        "contribution_id": card["command_id"], "cluster_id": cluster["command_id"]});
    let (status, body) = staff.send(&moved).await;
    assert_eq!(status, 200, "{body}");
    let board = anna.board().await;
    assert_eq!(board["clusters"][0]["title"], "Famiglia caregiver");
    assert_eq!(
        board["contributions"][0]["cluster_id"],
        cluster["command_id"]
    );
}
