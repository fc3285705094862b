//! Issue 9, the HTTP and websocket defences: CSRF, body size, security headers, rate limits,
//! session expiry and rotation, token revocation, the audit log, the first administrator.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tavoli_tests::{TestApp, add_need, command_id, tavoli_bin};
use tokio_tungstenite::tungstenite::Message;

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn a_cookie_authenticated_write_from_another_site_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let cookie = format!("tavoli_p_{}={}", table.id, anna.token);
    let url = app.url(&format!("/api/roundtables/{}/commands", table.id));
    let before = anna.board().await;
    for (header, value) in [
        ("Origin", "https://sito-malevolo.example"),
        ("Sec-Fetch-Site", "cross-site"),
        ("Sec-Fetch-Site", "same-site"),
    ] {
        let response = client()
            .post(&url)
            .header("Cookie", &cookie)
            .header(header, value)
            .json(&add_need("Scheda contrabbandata"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403, "{header}: {value}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "csrf_refused");
    }
    assert_eq!(anna.board().await, before, "nothing was added");
    // The page's own requests, and scripts with a Bearer token, pass.
    let own_origin = app.base_url.clone();
    let same_site = client()
        .post(&url)
        .header("Cookie", &cookie)
        .header("Origin", &own_origin)
        .json(&add_need("Scheda dalla pagina"))
        .send()
        .await
        .unwrap();
    assert_eq!(same_site.status(), 200);
    let bearer = client()
        .post(&url)
        .bearer_auth(&anna.token)
        .header("Origin", "https://sito-malevolo.example")
        .json(&add_need("Scheda da uno script"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bearer.status(),
        200,
        "a Bearer token is never sent by a browser on its own"
    );
}

#[tokio::test]
async fn a_body_over_the_limit_gets_413_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let huge = "x".repeat(300 * 1024);
    for path in [
        "/api/join".to_string(),
        format!("/api/roundtables/{}/commands", table.id),
        "/api/processes".to_string(),
    ] {
        let response = client()
            .post(app.url(&path))
            .bearer_auth(&anna.token)
            .header("Content-Type", "application/json")
            .header("Accept-Language", "en")
            .body(format!("{{\"text\": \"{huge}\"}}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "body_too_large", "{path}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("too large")
        );
    }
}

#[tokio::test]
async fn pages_carry_a_strict_policy_whose_nonce_is_the_hydration_scripts() {
    let app = TestApp::spawn().await;
    let response = app.get("/").await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let html = response.text().await.unwrap();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the policy names a nonce");
    assert!(
        html.contains(&format!("nonce=\"{nonce}\"")),
        "the inline script carries it"
    );
    for part in [
        "'wasm-unsafe-eval'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(part), "{part} in {policy}");
    }
    assert!(!policy.contains("'unsafe-inline'") && !policy.contains("'unsafe-eval'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["referrer-policy"], "same-origin");
    // A second page gets a fresh nonce.
    let again = app.get("/").await;
    assert_ne!(
        again.headers()["content-security-policy"].to_str().unwrap(),
        policy
    );
    // Data answers get the strictest policy.
    let api = app.get("/api/openapi.json").await;
    assert!(
        api.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );
    assert_eq!(api.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn guessing_passwords_is_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    app.staff_token().await;
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..40 {
        let response = client()
            .post(app.url("/api/login"))
            .json(&json!({"email": "udp@ambito.example", "password": "sbagliata"}))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            retry_after = response.headers().get("retry-after").cloned();
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited");
            break;
        }
    }
    assert!(
        statuses.iter().filter(|s| **s == 401).count() >= 20,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let seconds: u64 = retry_after
        .expect("Retry-After")
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&seconds));
}

#[tokio::test]
async fn a_venue_of_400_joining_from_one_address_is_not_throttled_but_a_flood_is() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let started = std::time::Instant::now();
    let mut joins = futures_util::stream::iter(0..400)
        .map(|i| {
            let url = app.url("/api/join");
            let code = table.join_code.clone();
            async move {
                client()
                    .post(url)
                    .json(&json!({"join_code": code, "name": format!("Persona {i}"), "organisation": format!("Ente {}", i % 40),
                                  "organisation_kind": "aps", "consent": true}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        })
        .buffer_unordered(16);
    let mut created = 0;
    while let Some(status) = joins.next().await {
        assert_eq!(status, 201, "a join of the venue was refused");
        created += 1;
    }
    assert_eq!(created, 400);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "within a minute"
    );
    let mut throttled = None;
    for _ in 0..2000 {
        let response = client()
            .post(app.url("/api/join"))
            .json(&json!({"join_code": "NOPE00", "name": "x", "organisation": "y", "organisation_kind": "aps", "consent": true}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            throttled = Some(response);
            break;
        }
    }
    let response = throttled.expect("a flood of joins is throttled");
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn an_oversized_frame_closes_the_socket_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let before = anna.board().await;
    let mut live = anna.live(0).await;
    let text = format!(
        "{{\"type\":\"add_contribution\",\"command_id\":\"{}\",\"kind\":\"need\",\"text\":\"{}\"}}",
        command_id(),
        "x".repeat(tavoli_core::protocol::MAX_FRAME_BYTES + 10)
    );
    let _ = futures_util::SinkExt::send(&mut live.socket, Message::Text(text.into())).await;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match live.socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return true,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await
    .unwrap_or(false);
    assert!(
        closed,
        "the server closes a socket that sends an oversized frame"
    );
    assert_eq!(anna.board().await, before);
}

#[tokio::test]
async fn a_reconnecting_phone_flushes_25_commands_but_a_flooding_peer_is_closed() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let mut live = anna.live(0).await;
    let commands: Vec<Value> = (0..25)
        .map(|i| add_need(&format!("Scheda in coda {i}")))
        .collect();
    for command in &commands {
        live.send(command).await;
    }
    for command in &commands {
        let outcome = live.outcome(command["command_id"].as_str().unwrap()).await;
        assert_eq!(outcome["type"], "ack", "{outcome}");
    }
    for _ in 0..400 {
        if futures_util::SinkExt::send(
            &mut live.socket,
            Message::Text("{\"type\":\"ping\"}".into()),
        )
        .await
        .is_err()
        {
            break;
        }
    }
    let mut rate_limited = false;
    let closed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match live.socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    rate_limited |= text.contains("rate_limited");
                }
                Some(Ok(Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code));
                }
                None => return None,
                Some(Err(error)) => panic!("socket error {error}"),
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the flooding socket is closed");
    assert!(rate_limited, "it was told to slow down first");
    assert_eq!(closed, Some(1008), "closed as a policy violation");
}

#[tokio::test]
async fn an_expired_session_is_refused_and_signing_in_again_rotates_the_token() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let first = app.login("udp@ambito.example", "password-di-prova").await;
    let path = format!("/api/processes/{}", table.process_id);
    let read = |token: String| {
        let url = app.url(&path);
        async move {
            client()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(read(first.clone()).await, 200);
    app.storage
        .set_session_expiry(&tavoli_server::auth::token_hash(&first), 1)
        .await
        .unwrap();
    assert_eq!(read(first.clone()).await, 401, "expired");
    // Signing in with a session in hand ends it: the new token works, the old one never again.
    let second = app.login("udp@ambito.example", "password-di-prova").await;
    let response = client()
        .post(app.url("/api/login"))
        .bearer_auth(&second)
        .json(&json!({"email": "udp@ambito.example", "password": "password-di-prova"}))
        .send()
        .await
        .unwrap();
    assert!(
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("HttpOnly; SameSite=Lax")
    );
    let third = response.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(third, second);
    assert_eq!(read(second).await, 401, "rotated out");
    assert_eq!(read(third).await, 200);
}

#[tokio::test]
async fn cookies_are_secure_behind_tls() {
    let app = TestApp::spawn().await;
    app.staff_token().await;
    let response = client()
        .post(app.url("/api/login"))
        .header("X-Forwarded-Proto", "https")
        .json(&json!({"email": "udp@ambito.example", "password": "password-di-prova"}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

#[tokio::test]
async fn a_revoked_participant_is_cut_off_at_once_but_keeps_their_privacy_rights() {
    let app = TestApp::spawn().await;
    let table = app.roundtable().await;
    let facilitator = app
        .facilitator_of(&table, "facilitatrice@ambito.example")
        .await;
    let anna = app.join(&table, "Anna", "Auser").await;
    let mut live = anna.live(0).await;
    let participant_id = anna.participant_id.clone().unwrap();
    // Another roundtable's facilitator cannot revoke her.
    let elsewhere = app.roundtable().await;
    let stranger = app.facilitator_of(&elsewhere, "altro@ambito.example").await;
    let path = format!(
        "/api/roundtables/{}/participants/{participant_id}/revoke",
        table.id
    );
    assert_eq!(
        app.post_json(&stranger, &path, json!({})).await.status(),
        403
    );
    assert_eq!(
        app.post_json(&facilitator, &path, json!({})).await.status(),
        204
    );
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        let mut told = false;
        loop {
            match live.socket.next().await {
                Some(Ok(Message::Text(text))) => told |= text.contains("token_revoked"),
                Some(Ok(Message::Close(frame))) => return (told, frame.map(|f| u16::from(f.code))),
                None | Some(Err(_)) => return (told, None),
                Some(Ok(_)) => {}
            }
        }
    })
    .await
    .expect("the open socket closes at once");
    assert_eq!(closed, (true, Some(1008)));
    let (status, body) = anna.send(&add_need("Dopo la revoca")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("token_revoked"))
    );
    // Her data stays hers: she may still download it.
    let mine = client()
        .get(app.url(&format!("/api/roundtables/{}/me", table.id)))
        .bearer_auth(&anna.token)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.status(), 200);
    // The facilitator's action is in the audit log, readable by the planning office only.
    let audit_path = format!("/api/processes/{}/audit", table.process_id);
    let audit: Value = client()
        .get(app.url(&audit_path))
        .bearer_auth(app.staff_token().await)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entry = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "revoke_participant")
        .expect("the revocation is audited");
    assert_eq!(entry["user_email"], "facilitatrice@ambito.example");
    assert_eq!(entry["detail"]["participant_id"], participant_id.as_str());
    let refused = client()
        .get(app.url(&audit_path))
        .bearer_auth(&facilitator)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn a_facilitator_runs_only_their_own_roundtable_and_the_planning_office_only_its_processes() {
    let app = TestApp::spawn().await;
    let mine = app.roundtable().await;
    let other = app.roundtable().await;
    let facilitator = app
        .facilitator_of(&mine, "facilitatore@ambito.example")
        .await;
    let cluster = || json!({"type": "create_cluster", "command_id": command_id(), "title": "Casa"});
    let at = |table: &tavoli_tests::Table| format!("/api/roundtables/{}/commands", table.id);
    assert_eq!(
        app.post_json(&facilitator, &at(&mine), cluster())
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_json(&facilitator, &at(&other), cluster())
            .await
            .status(),
        403
    );
    // Another planning-office account sees none of these processes.
    app.create_account("udp2@altro.example", "altra-password", "planning_office")
        .await;
    let stranger = app.login("udp2@altro.example", "altra-password").await;
    assert_eq!(
        app.post_json(&stranger, &at(&mine), cluster())
            .await
            .status(),
        403
    );
    let list: Value = client()
        .get(app.url("/api/processes"))
        .bearer_auth(&stranger)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["processes"], json!([]));
    // Nor does a visitor without an account: nothing here is published.
    let anonymous: Value = client()
        .get(app.url("/api/processes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anonymous["processes"], json!([]));
}

#[test]
fn the_first_start_creates_an_administrator_and_prints_the_password_once() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut child = std::process::Command::new(tavoli_bin())
            .arg("serve")
            .env("TAVOLI_ADDR", "127.0.0.1:0")
            .env("TAVOLI_DATA_DIR", dir.path())
            .env_remove("TAVOLI_DATABASE_URL")
            .env("TAVOLI_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = Vec::new();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            let done = line.contains("serving at");
            lines.push(line);
            if done {
                break;
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        lines.join("")
    };
    let first = start();
    let password = first
        .lines()
        .find_map(|line| line.trim().strip_prefix("password:"))
        .map(|p| p.trim().to_string())
        .expect("the first start prints a password");
    assert!(password.len() >= 16);
    assert!(first.contains("admin@tavoli.local"));
    let second = start();
    assert!(second.contains("serving at"));
    assert!(!second.contains(&password), "shown once only");
}
