//! Issue 9, the authorization matrix: every role (none, revoked token, observer, participant,
//! facilitator, planning office) × every command over both transports and every route ×
//! own roundtable, another roundtable of the same process, and a roundtable of another process
//! × every phase. The expected answer of each case comes from one documented table, below:
//! who each caller is at each target (`standing`), then the core's `authorize`. A refusal must
//! be a typed 401/403 and leave the board unchanged; an allowed call must get past
//! authorization (the board's own rules may still refuse it, with their own codes).

use serde_json::{Value, json};
use tavoli_core::{Action, Command, Refusal, Standing, authorize};
use tavoli_tests::{Client, Live, Table, TestApp, add_need, command_id};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

use crate::authorization::{Fixture, sample};

/// The callers of the matrix, each defined relative to roundtable A of process 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    Nobody,
    RevokedParticipant,
    Observer,
    Participant,
    Facilitator,
    PlanningOffice,
}

const CALLERS: [Caller; 6] = [
    Caller::Nobody,
    Caller::RevokedParticipant,
    Caller::Observer,
    Caller::Participant,
    Caller::Facilitator,
    Caller::PlanningOffice,
];

/// Where the call goes: A (their own), B (another roundtable of process 1), C (a roundtable
/// of process 2, run by another planning office).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    Own,
    OtherRoundtable,
    OtherProcess,
}

const TARGETS: [Target; 3] = [Target::Own, Target::OtherRoundtable, Target::OtherProcess];

/// THE TABLE: who each caller is at each target. Observers and the planning office hold a
/// role in all of process 1; facilitators and participants only at A; nobody at process 2.
fn standing(caller: Caller, target: Target) -> Standing {
    use Caller as C;
    match (caller, target) {
        (C::Nobody, _) => Standing::Nobody,
        (C::RevokedParticipant, Target::Own) => Standing::Revoked,
        (C::Observer, Target::Own | Target::OtherRoundtable) => Standing::Observer,
        (C::Participant, Target::Own) => Standing::Participant,
        (C::Facilitator, Target::Own) => Standing::Facilitator,
        (C::PlanningOffice, Target::Own | Target::OtherRoundtable) => Standing::PlanningOffice,
        _ => Standing::Outsider,
    }
}

/// Process-level actions (read a process, create its roundtables, read its audit log) look at
/// the caller's role in the target's process: A and B share process 1, so whoever belongs to A
/// belongs to process 1 (a participant reads the process of their roundtable).
fn process_standing(caller: Caller, target: Target) -> Standing {
    match target {
        Target::OtherProcess => standing(caller, target),
        Target::Own | Target::OtherRoundtable => standing(caller, Target::Own),
    }
}

/// Account-level actions (create a process, a staff account) look at the account only.
fn account_standing(caller: Caller) -> Standing {
    match caller {
        Caller::Nobody => Standing::Nobody,
        Caller::PlanningOffice => Standing::PlanningOffice,
        _ => Standing::Outsider,
    }
}

const PHASES: [&str; 4] = ["collect", "group", "vote", "synthesis"];

struct World {
    tables: [Table; 3],
    /// The planning office of each target's process, to read boards and reset phases.
    owners: [Client; 3],
    fixtures: [Fixture; 3],
    /// A participant at each target to revoke and erase.
    victims: [String; 3],
    tokens: Vec<(Caller, String)>,
}

async fn world(app: &TestApp, phase: &str, round: usize) -> World {
    let a = app.roundtable().await;
    let po = app.staff_token().await;
    let b: Value = app
        .post_json(
            &po,
            &format!("/api/processes/{}/roundtables", a.process_id),
            json!({"title": "Giovani"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let b = Table {
        process_id: a.process_id.clone(),
        id: b["id"].as_str().unwrap().into(),
        join_code: b["join_code"].as_str().unwrap().into(),
    };
    let other_email = format!("udp-{round}@altro.example");
    app.create_account(&other_email, "altra-password", "planning_office")
        .await;
    let po2 = app.login(&other_email, "altra-password").await;
    let process: Value = app
        .post_json(
            &po2,
            "/api/processes",
            json!({"title": "Altro percorso", "owner": "Altro ambito", "kind": "processo_partecipativo"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let process2 = process["id"].as_str().unwrap().to_string();
    let c: Value = app
        .post_json(
            &po2,
            &format!("/api/processes/{process2}/roundtables"),
            json!({"title": "Casa"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let c = Table {
        process_id: process2,
        id: c["id"].as_str().unwrap().into(),
        join_code: c["join_code"].as_str().unwrap().into(),
    };
    let tables = [a.clone(), b, c];
    let owner = |table: &Table, token: &str| Client {
        base_url: app.base_url.clone(),
        token: token.to_string(),
        participant_id: None,
        roundtable_id: table.id.clone(),
    };
    let owners = [
        owner(&tables[0], &po),
        owner(&tables[1], &po),
        owner(&tables[2], &po2),
    ];
    let mut fixtures = Vec::new();
    let mut victims = Vec::new();
    for (table, owner) in tables.iter().zip(&owners) {
        let author = app.join(table, "Anna", "Auser").await;
        let card_a = add_need("Prima scheda");
        let card_b = add_need("Seconda scheda");
        author.send(&card_a).await;
        author.send(&card_b).await;
        let cluster =
            json!({"type": "create_cluster", "command_id": command_id(), "title": "Gruppo"});
        owner.send(&cluster).await;
        set_phase(owner, phase).await;
        fixtures.push(Fixture {
            card_a: card_a["command_id"].as_str().unwrap().into(),
            card_b: card_b["command_id"].as_str().unwrap().into(),
            cluster: cluster["command_id"].as_str().unwrap().into(),
        });
        victims.push(
            app.join(table, "Vittima", "Caritas")
                .await
                .participant_id
                .unwrap(),
        );
    }
    let revoked = app.join(&a, "Rita", "Acli").await;
    let revoke = app
        .post_json(
            &po,
            &format!(
                "/api/roundtables/{}/participants/{}/revoke",
                a.id,
                revoked.participant_id.as_deref().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(revoke.status(), 204);
    let participant = app.join(&a, "Paolo", "Arci").await;
    let facilitator = app
        .facilitator_of(&a, &format!("facilitatore-{round}@ambito.example"))
        .await;
    let observer = app
        .member_of(
            &a,
            &format!("osservatore-{round}@ambito.example"),
            "observer",
        )
        .await;
    World {
        tables,
        owners,
        fixtures: fixtures.try_into().ok().unwrap(),
        victims: victims.try_into().unwrap(),
        tokens: vec![
            (Caller::Nobody, String::new()),
            (Caller::RevokedParticipant, revoked.token),
            (Caller::Observer, observer),
            (Caller::Participant, participant.token),
            (Caller::Facilitator, facilitator),
            (Caller::PlanningOffice, po),
        ],
    }
}

async fn set_phase(owner: &Client, phase: &str) {
    for command in [
        json!({"type": "unlock_board", "command_id": command_id()}),
        json!({"type": "set_phase", "command_id": command_id(), "phase": phase}),
    ] {
        owner.send(&command).await;
    }
}

const AUTH_CODES: [&str; 5] = [
    "unauthenticated",
    "token_revoked",
    "forbidden",
    "not_allowed",
    "csrf_refused",
];

/// Checks one answer against the table's verdict; returns a description of a mismatch.
fn judge(expected: Result<(), Refusal>, status: u16, code: &str) -> Result<(), String> {
    match expected {
        Ok(()) => {
            if AUTH_CODES.contains(&code) || !(200..500).contains(&status) {
                Err(format!("allowed, got {status} {code}"))
            } else {
                Ok(())
            }
        }
        Err(refusal) => {
            let want = if refusal.is_unauthenticated() {
                401
            } else {
                403
            };
            if status == want && AUTH_CODES.contains(&code) {
                Ok(())
            } else {
                Err(format!("refused ({refusal:?}), got {status} {code}"))
            }
        }
    }
}

async fn request(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<Value>,
) -> (u16, String) {
    let mut request = http.request(method, url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (
        status,
        body["error"]["code"].as_str().unwrap_or("").to_string(),
    )
}

/// Opens the websocket of `table` as `token`: the socket, or the refused upgrade's status.
async fn open_live(app: &TestApp, table: &Table, token: &str, since: u64) -> Result<Live, u16> {
    let url = format!(
        "{}/api/roundtables/{}/live?since={since}",
        app.base_url.replace("http://", "ws://"),
        table.id
    );
    let mut request = url.into_client_request().unwrap();
    if !token.is_empty() {
        request
            .headers_mut()
            .insert("Authorization", format!("Bearer {token}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(Live { socket }),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("websocket failed: {other}"),
    }
}

/// The answer to a command: its ack or error, or an error without a command id (the decoder
/// refuses some commands, such as `join`, before reading their id).
async fn outcome(live: &mut Live, command_id: &str) -> Value {
    loop {
        let message = live.next_json().await;
        if (message["type"] == "ack" || message["type"] == "error")
            && (message["command_id"] == command_id || message["command_id"].is_null())
        {
            return message;
        }
    }
}

/// A route of the matrix: its action, and how to call it at a target.
struct Route {
    action: Action<'static>,
    method: reqwest::Method,
    path: fn(&Table, &str) -> String,
    body: Option<fn() -> Value>,
    level: Level,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    Account,
    Process,
    Roundtable,
}

fn routes() -> Vec<Route> {
    use reqwest::Method;
    vec![
        Route {
            action: Action::ListProcesses,
            method: Method::GET,
            path: |_, _| "/api/processes".into(),
            body: None,
            level: Level::Account,
        },
        Route {
            action: Action::CreateProcess,
            method: Method::POST,
            path: |_, _| "/api/processes".into(),
            body: Some(|| json!({"title": "Nuovo", "owner": "Ente", "kind": "co_progettazione"})),
            level: Level::Account,
        },
        Route {
            action: Action::CreateStaffAccount,
            method: Method::POST,
            path: |_, _| "/api/users".into(),
            body: Some(
                || json!({"email": format!("{}@nuovo.example", command_id()), "password": "password-lunga", "role": "facilitator"}),
            ),
            level: Level::Account,
        },
        Route {
            action: Action::ReadProcess,
            method: Method::GET,
            path: |t, _| format!("/api/processes/{}", t.process_id),
            body: None,
            level: Level::Process,
        },
        Route {
            action: Action::CreateRoundtable,
            method: Method::POST,
            path: |t, _| format!("/api/processes/{}/roundtables", t.process_id),
            body: Some(|| json!({"title": "Tavolo nuovo"})),
            level: Level::Process,
        },
        Route {
            action: Action::ManageMembers,
            method: Method::POST,
            path: |t, _| format!("/api/roundtables/{}/facilitators", t.id),
            body: Some(|| json!({"email": "udp@ambito.example"})),
            level: Level::Roundtable,
        },
        Route {
            action: Action::EditSynthesis,
            method: Method::POST,
            path: |t, _| format!("/api/processes/{}/themes", t.process_id),
            body: Some(|| json!({"title": "Abitare", "description": "", "contribution_ids": []})),
            level: Level::Process,
        },
        Route {
            action: Action::ReadAudit,
            method: Method::GET,
            path: |t, _| format!("/api/processes/{}/audit", t.process_id),
            body: None,
            level: Level::Process,
        },
        Route {
            action: Action::ReadBoard,
            method: Method::GET,
            path: |t, _| format!("/api/roundtables/{}/board", t.id),
            body: None,
            level: Level::Roundtable,
        },
        Route {
            action: Action::ReadEvents,
            method: Method::GET,
            path: |t, _| format!("/api/roundtables/{}/events?since=0", t.id),
            body: None,
            level: Level::Roundtable,
        },
        Route {
            action: Action::ListParticipants,
            method: Method::GET,
            path: |t, _| format!("/api/roundtables/{}/participants", t.id),
            body: None,
            level: Level::Roundtable,
        },
        Route {
            action: Action::RevokeParticipant,
            method: Method::POST,
            path: |t, victim| format!("/api/roundtables/{}/participants/{victim}/revoke", t.id),
            body: Some(|| json!({})),
            level: Level::Roundtable,
        },
        Route {
            action: Action::EraseParticipant,
            method: Method::DELETE,
            path: |t, victim| format!("/api/roundtables/{}/participants/{victim}", t.id),
            body: None,
            level: Level::Roundtable,
        },
        Route {
            action: Action::DownloadOwnData,
            method: Method::GET,
            path: |t, _| format!("/api/roundtables/{}/me", t.id),
            body: None,
            level: Level::Roundtable,
        },
        // Erasing oneself goes last: it ends the participant of this phase's world.
        Route {
            action: Action::EraseSelf,
            method: Method::DELETE,
            path: |t, _| format!("/api/roundtables/{}/me", t.id),
            body: None,
            level: Level::Roundtable,
        },
    ]
}

#[tokio::test]
async fn every_role_command_route_target_and_phase_is_allowed_or_refused_as_the_table_says() {
    let app = TestApp::spawn().await;
    let http = reqwest::Client::new();
    let mut cases = 0usize;
    let mut failures: Vec<String> = Vec::new();
    for (round, phase) in PHASES.iter().enumerate() {
        let world = world(&app, phase, round).await;
        let callers: Vec<Caller> = world.tokens.iter().map(|(caller, _)| *caller).collect();
        assert_eq!(callers, CALLERS, "every caller of the table is tried");
        // Commands, over HTTP and the websocket.
        for type_name in Command::TYPE_NAMES {
            for (index, target) in TARGETS.iter().enumerate() {
                set_phase(&world.owners[index], phase).await;
                let table = &world.tables[index];
                for (caller, token) in &world.tokens {
                    let expected = authorize(
                        standing(*caller, *target),
                        Action::Command(
                            &serde_json::from_value::<Command>(sample(
                                type_name,
                                &world.fixtures[index],
                            ))
                            .expect("samples are valid"),
                        ),
                    )
                    .map(|_| ());
                    for transport in ["http", "websocket"] {
                        let before = world.owners[index].board().await;
                        let command = sample(type_name, &world.fixtures[index]);
                        let (status, code) = if transport == "http" {
                            request(
                                &http,
                                reqwest::Method::POST,
                                app.url(&format!("/api/roundtables/{}/commands", table.id)),
                                token,
                                Some(command.clone()),
                            )
                            .await
                        } else {
                            let since = before["seq"].as_u64().unwrap_or(0);
                            match open_live(&app, table, token, since).await {
                                Err(status) => (status, "refused_upgrade".to_string()),
                                Ok(mut live) => {
                                    live.send(&command).await;
                                    let outcome =
                                        outcome(&mut live, command["command_id"].as_str().unwrap())
                                            .await;
                                    let _ = live.socket.close(None).await;
                                    if outcome["type"] == "ack" {
                                        (200, String::new())
                                    } else {
                                        let code = outcome["error"]["code"]
                                            .as_str()
                                            .unwrap_or("")
                                            .to_string();
                                        // The socket has no statuses: the code says which.
                                        let status = match code.as_str() {
                                            "unauthenticated" | "token_revoked" => 401,
                                            "forbidden" | "not_allowed" => 403,
                                            _ => 422,
                                        };
                                        (status, code)
                                    }
                                }
                            }
                        };
                        // A refused upgrade is a typed refusal too (its body is checked below).
                        let code = if code == "refused_upgrade" {
                            "forbidden".to_string()
                        } else {
                            code
                        };
                        let verdict = judge(expected, status, &code);
                        let after = world.owners[index].board().await;
                        if let Err(why) = verdict {
                            failures.push(format!("[{phase}] {type_name} by {caller:?} at {target:?} over {transport}: {why}"));
                        } else if expected.is_err() && after != before {
                            failures.push(format!("[{phase}] {type_name} by {caller:?} at {target:?} over {transport}: refused but the board changed"));
                        }
                        cases += 1;
                    }
                }
            }
        }
        // Routes.
        for route in routes() {
            // Their own roundtable last: erasing oneself there ends the participant.
            for (index, target) in TARGETS.iter().enumerate().rev() {
                let table = &world.tables[index];
                for (caller, token) in &world.tokens {
                    let standing = match route.level {
                        Level::Account => account_standing(*caller),
                        Level::Process => process_standing(*caller, *target),
                        Level::Roundtable => standing(*caller, *target),
                    };
                    let expected = authorize(standing, route.action).map(|_| ());
                    let before = world.owners[index].board().await;
                    let (status, code) = request(
                        &http,
                        route.method.clone(),
                        app.url(&(route.path)(table, &world.victims[index])),
                        token,
                        route.body.map(|body| body()),
                    )
                    .await;
                    if let Err(why) = judge(expected, status, &code) {
                        failures.push(format!(
                            "[{phase}] {:?} by {caller:?} at {target:?}: {why}",
                            route.action
                        ));
                    } else if expected.is_err() && world.owners[index].board().await != before {
                        failures.push(format!("[{phase}] {:?} by {caller:?} at {target:?}: refused but the board changed", route.action));
                    }
                    cases += 1;
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases > 3000, "the matrix has thousands of cases ({cases})");
}

#[tokio::test]
async fn a_refused_websocket_upgrade_says_why_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let elsewhere = app.roundtable().await;
    let outsider = app.join(&elsewhere, "Olga", "Altrove").await;
    for (token, status, code) in [
        ("", 401, "unauthenticated"),
        (outsider.token.as_str(), 403, "forbidden"),
    ] {
        let mut request = reqwest::Client::new()
            .get(app.url(&format!("/api/roundtables/{}/live", table.id)))
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code);
    }
}
