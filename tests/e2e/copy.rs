//! Issue 10: `tavoli copy` moves a deployment between databases with nothing lost:
//! SQLite -> PostgreSQL -> SQLite gives the same boards and logs, byte for byte.

use std::process::Command;

use serde_json::{Value, json};
use tavoli_tests::{TestApp, fresh_postgres_database, postgres_server_url_or_default, tavoli_bin};

fn tavoli(args: &[&str], data_dir: &std::path::Path) -> (i32, String, String) {
    let output = Command::new(tavoli_bin())
        .args(args)
        .env("TAVOLI_DATA_DIR", data_dir)
        .env_remove("TAVOLI_DATABASE_URL")
        .env("TAVOLI_LOG", "error")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Everything a deployment shows through the API: every roundtable's log and board.
async fn snapshot(database_url: &str) -> Value {
    let app = TestApp::spawn_on(tempfile::tempdir().unwrap(), database_url).await;
    let login: Value = app
        .http
        .post(app.url("/api/login"))
        .json(&json!({"email": "udp@tavoli.demo", "password": "tavoli-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"]
        .as_str()
        .expect("the demo account was copied")
        .to_string();
    let get = |path: String| {
        let (http, token) = (app.http.clone(), token.clone());
        async move {
            http.get(path)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let processes = get(app.url("/api/processes")).await;
    let mut out = json!({"processes": processes.clone(), "roundtables": []});
    for process in processes["processes"].as_array().unwrap() {
        let detail = get(app.url(&format!(
            "/api/processes/{}",
            process["id"].as_str().unwrap()
        )))
        .await;
        for roundtable in detail["roundtables"].as_array().unwrap() {
            let id = roundtable["id"].as_str().unwrap();
            let events = get(app.url(&format!("/api/roundtables/{id}/events?since=0"))).await;
            let board = get(app.url(&format!("/api/roundtables/{id}/board"))).await;
            out["roundtables"]
                .as_array_mut()
                .unwrap()
                .push(json!({"roundtable": roundtable, "events": events, "board": board}));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_round_trips_sqlite_to_postgresql_and_back_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = tavoli(&["demo"], dir.path());
    assert_eq!(code, 0, "{stderr}");
    let sqlite = format!("sqlite://{}", dir.path().join("tavoli.sqlite3").display());
    let postgres = fresh_postgres_database(&postgres_server_url_or_default()).await;
    let back = format!("sqlite://{}", dir.path().join("back.sqlite3").display());

    let (code, stdout, stderr) =
        tavoli(&["copy", "--from", &sqlite, "--to", &postgres], dir.path());
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("events: ") && stdout.contains("Copy complete."),
        "{stdout}"
    );
    let (code, _, stderr) = tavoli(&["copy", "--from", &postgres, "--to", &back], dir.path());
    assert_eq!(code, 0, "{stderr}");

    let original = snapshot(&sqlite).await;
    assert!(
        original["roundtables"].as_array().unwrap().len() >= 4,
        "the demo has its roundtables"
    );
    assert_eq!(
        snapshot(&postgres).await,
        original,
        "PostgreSQL holds the same deployment"
    );
    assert_eq!(
        snapshot(&back).await,
        original,
        "and so does the SQLite copied back"
    );

    // Copying into a database that already holds data is refused, and changes nothing.
    let (code, _, stderr) = tavoli(&["copy", "--from", &sqlite, "--to", &back], dir.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("not empty"), "{stderr}");
    assert_eq!(snapshot(&back).await, original);
}

#[tokio::test]
async fn every_table_of_the_schema_is_in_the_copy_order() {
    let app = TestApp::spawn().await;
    for table in app.storage.table_names().await.unwrap() {
        assert!(
            tavoli_server::storage::COPY_ORDER.contains(&table.as_str()),
            "`{table}` is copied by `tavoli copy`"
        );
    }
}
