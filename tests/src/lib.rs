//! The test harness every end-to-end test uses: the real server, in-process, on port 0, with a
//! fresh SQLite file in a temporary directory; an HTTP client; a websocket client; and the path
//! of the real `tavoli` binary for tests that need a separate process (exit codes, kill -9).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tavoli_server::{Application, Config, storage::Storage};
use tokio::{net::TcpStream, sync::oneshot};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, tungstenite::Message};

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The `tavoli` binary built by `cargo build -p tavoli-server` (the test command builds it
/// first); `TAVOLI_BIN` overrides.
pub fn tavoli_bin() -> PathBuf {
    if let Ok(path) = std::env::var("TAVOLI_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"));
    let bin = target.join("debug").join("tavoli");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p tavoli-server --bin tavoli` first",
        bin.display()
    );
    bin
}

/// The database backend the suite runs against: SQLite unless `TAVOLI_TEST_BACKEND=postgres`,
/// in which case `TAVOLI_TEST_PG_URL` names a PostgreSQL server (any database on it; each test
/// gets a fresh `tavoli_test_<uuid>` database there).
pub fn postgres_server_url() -> Option<String> {
    if std::env::var("TAVOLI_TEST_BACKEND").as_deref() != Ok("postgres") {
        return None;
    }
    Some(
        std::env::var("TAVOLI_TEST_PG_URL")
            .expect("TAVOLI_TEST_BACKEND=postgres needs TAVOLI_TEST_PG_URL"),
    )
}

/// The PostgreSQL server for tests that always need one (several instances): the
/// `TAVOLI_TEST_PG_URL` of the test command, or the local default the test command sets up.
pub fn postgres_server_url_or_default() -> String {
    std::env::var("TAVOLI_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh PostgreSQL database on `server`.
pub async fn fresh_postgres_database(server: &str) -> String {
    use sqlx::Connection;
    let name = format!("tavoli_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(server)
        .await
        .expect("the PostgreSQL test server answers (scripts/test.sh starts one)");
    sqlx::Executor::execute(&mut admin, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let base = server
        .rsplit_once('/')
        .map(|(base, _)| base.to_string())
        .unwrap_or_else(|| server.to_string());
    format!("{base}/{name}")
}

/// A fresh, empty database for one test: a SQLite file in `data_dir`, or a new PostgreSQL
/// database on the test server.
pub async fn fresh_database_url(data_dir: &Path) -> String {
    match postgres_server_url() {
        None => format!("sqlite://{}", data_dir.join("tavoli.sqlite3").display()),
        Some(server) => fresh_postgres_database(&server).await,
    }
}

/// A running server with its own database.
pub struct TestApp {
    pub base_url: String,
    pub port: u16,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    pub database_url: String,
    pub storage: Storage,
    /// The planning office's token, signed in once per server (sign-ins are rate limited).
    staff_token: tokio::sync::OnceCell<String>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the real application on 127.0.0.1:0 with a fresh database (see
    /// `fresh_database_url`).
    pub async fn spawn() -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database_url(data_dir.path()).await;
        TestApp::spawn_on(data_dir, &database).await
    }

    /// Starts the application on an existing database (a second instance shares it).
    pub async fn spawn_on(data_dir: tempfile::TempDir, database_url: &str) -> TestApp {
        // Server logs in tests on request: TAVOLI_TEST_LOG=warn cargo test ...
        if let Ok(filter) = std::env::var("TAVOLI_TEST_LOG") {
            tavoli_server::telemetry::init(&filter);
        }
        let mut config = Config::for_tests(
            data_dir.path(),
            workspace_root().join("target").join("site"),
        );
        config.database =
            tavoli_server::config::DatabaseUrl::parse(database_url).expect("a known scheme");
        let app = Application::build(config).await.expect("the server starts");
        let port = app.port();
        let storage = app.storage().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestApp {
            base_url: format!("http://127.0.0.1:{port}"),
            port,
            http,
            data_dir,
            database_url: database_url.to_string(),
            storage,
            staff_token: tokio::sync::OnceCell::new(),
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    /// Stops the server gracefully and starts a new one on the same database: nothing of the
    /// first one's memory is left (the new one listens on another port).
    pub async fn restart(mut self) -> TestApp {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        let data_dir =
            std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("temp dir"));
        TestApp::spawn_on(data_dir, &self.database_url).await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub const ADMIN_EMAIL: &str = "udp@ambito.example";
pub const ADMIN_PASSWORD: &str = "password-di-prova";

/// A roundtable created through the API, with its process.
#[derive(Debug, Clone)]
pub struct Table {
    pub process_id: String,
    pub id: String,
    pub join_code: String,
}

/// Someone with a token: a staff member or a participant.
#[derive(Debug, Clone)]
pub struct Client {
    pub base_url: String,
    pub token: String,
    pub participant_id: Option<String>,
    pub roundtable_id: String,
}

impl TestApp {
    /// Creates the planning-office account (once) and signs in (once); returns its Bearer token.
    pub async fn staff_token(&self) -> String {
        self.staff_token
            .get_or_init(|| self.sign_in_planning_office())
            .await
            .clone()
    }

    async fn sign_in_planning_office(&self) -> String {
        if self
            .storage
            .user_by_email(ADMIN_EMAIL)
            .await
            .unwrap()
            .is_none()
        {
            let hash = tavoli_server::auth::hash_password(ADMIN_PASSWORD).unwrap();
            self.storage
                .create_user(ADMIN_EMAIL, "UdP", &hash, "planning_office", 0)
                .await
                .unwrap();
        }
        // A client of its own: signing in ends the session a shared cookie jar would carry
        // (sessions rotate on sign-in).
        let response = reqwest::Client::new()
            .post(self.url("/api/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login works");
        response.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A process with one roundtable, created as the planning office would.
    pub async fn roundtable(&self) -> Table {
        let token = self.staff_token().await;
        let process: Value = self
            .post_json(&token, "/api/processes", json!({"title": "Piano di Zona di prova", "owner": "Ambito di prova", "kind": "co_programmazione"}))
            .await
            .json()
            .await
            .unwrap();
        let process_id = process["id"].as_str().unwrap().to_string();
        let table: Value = self
            .post_json(
                &token,
                &format!("/api/processes/{process_id}/roundtables"),
                json!({"title": "Anziani"}),
            )
            .await
            .json()
            .await
            .unwrap();
        Table {
            process_id,
            id: table["id"].as_str().unwrap().into(),
            join_code: table["join_code"].as_str().unwrap().into(),
        }
    }

    /// The planning office as a client of a roundtable.
    pub async fn staff(&self, table: &Table) -> Client {
        Client {
            base_url: self.base_url.clone(),
            token: self.staff_token().await,
            participant_id: None,
            roundtable_id: table.id.clone(),
        }
    }

    /// A participant joins by code with a name and organisation.
    pub async fn join(&self, table: &Table, name: &str, organisation: &str) -> Client {
        let response = self
            .http
            .post(self.url("/api/join"))
            .json(&json!({"join_code": table.join_code, "name": name, "organisation": organisation, "organisation_kind": "aps", "consent": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "join succeeds");
        let body: Value = response.json().await.unwrap();
        Client {
            base_url: self.base_url.clone(),
            token: body["token"].as_str().unwrap().into(),
            participant_id: Some(body["participant_id"].as_str().unwrap().into()),
            roundtable_id: table.id.clone(),
        }
    }

    pub async fn post_json(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }
}

/// A fresh command id.
pub fn command_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// `add_contribution` of a need with this text.
pub fn add_need(text: &str) -> Value {
    json!({"type": "add_contribution", "command_id": command_id(), "kind": "need", "text": text})
}

impl Client {
    fn http() -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap()
    }

    /// Sends a command over HTTP; returns status and body.
    pub async fn send(&self, command: &Value) -> (u16, Value) {
        let response = Self::http()
            .post(format!(
                "{}/api/roundtables/{}/commands",
                self.base_url, self.roundtable_id
            ))
            .bearer_auth(&self.token)
            .json(command)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn board(&self) -> Value {
        Self::http()
            .get(format!(
                "{}/api/roundtables/{}/board",
                self.base_url, self.roundtable_id
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn events(&self, since: u64) -> Vec<Value> {
        let body: Value = Self::http()
            .get(format!(
                "{}/api/roundtables/{}/events?since={since}",
                self.base_url, self.roundtable_id
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["events"].as_array().unwrap().clone()
    }

    /// Opens the roundtable's websocket from `since`.
    pub async fn live(&self, since: u64) -> Live {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!(
            "{}/api/roundtables/{}/live?since={since}",
            self.base_url.replace("http://", "ws://"),
            self.roundtable_id
        );
        let mut request = url.into_client_request().unwrap();
        request.headers_mut().insert(
            "Authorization",
            format!("Bearer {}", self.token).parse().unwrap(),
        );
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connects");
        Live { socket }
    }
}

/// A websocket client of a roundtable.
pub struct Live {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Live {
    pub async fn send(&mut self, message: &Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket
            .send(Message::Text(text.to_string().into()))
            .await
            .unwrap();
    }

    /// The next JSON message, whatever its type (10 s at most).
    pub async fn next_json(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a message within 10 s")
                .expect("socket open")
                .expect("no socket error");
            if let Message::Text(text) = message {
                return serde_json::from_str(text.as_str()).expect("server sends JSON");
            }
        }
    }

    /// The next message that is an event (has a seq), skipping presence, acks and the like.
    pub async fn next_event(&mut self) -> Value {
        loop {
            let message = self.next_json().await;
            if message.get("seq").is_some()
                && message["type"] != "ack"
                && message["type"] != "welcome"
            {
                return message;
            }
        }
    }

    /// The ack or error of each of `command_ids`, whatever order they come in.
    pub async fn outcomes(&mut self, command_ids: &[&str]) -> Vec<Value> {
        let mut found: Vec<Option<Value>> = vec![None; command_ids.len()];
        while found.iter().any(Option::is_none) {
            let message = self.next_json().await;
            if (message["type"] == "ack" || message["type"] == "error")
                && let Some(i) = command_ids
                    .iter()
                    .position(|id| message["command_id"] == *id)
            {
                found[i] = Some(message);
            }
        }
        found.into_iter().flatten().collect()
    }

    /// The ack or error for `command_id`, skipping everything else.
    pub async fn outcome(&mut self, command_id: &str) -> Value {
        loop {
            let message = self.next_json().await;
            if (message["type"] == "ack" || message["type"] == "error")
                && message["command_id"] == command_id
            {
                return message;
            }
        }
    }
}

impl TestApp {
    /// A process created by the planning office; returns its id.
    pub async fn process(&self, title: &str, kind: &str) -> String {
        let token = self.staff_token().await;
        let response = self
            .post_json(
                &token,
                "/api/processes",
                json!({"title": title, "owner": "Ufficio di Piano dell’Ambito di prova", "kind": kind,
                       "description": "Un percorso di prova.", "period": "2025–2027"}),
            )
            .await;
        assert_eq!(response.status(), 201, "process created");
        response.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates a staff account directly in storage (as `tavoli admin create` would).
    pub async fn create_account(&self, email: &str, password: &str, role: &str) -> String {
        let hash = tavoli_server::auth::hash_password(password).unwrap();
        self.storage
            .create_user(email, email, &hash, role, 0)
            .await
            .unwrap()
    }

    /// Signs in; returns the Bearer token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let response = reqwest::Client::new()
            .post(self.url("/api/login"))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{email} signs in");
        response.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A roundtable in an existing process, anonymous or not.
    pub async fn roundtable_in(&self, process_id: &str, title: &str, anonymous: bool) -> Table {
        let token = self.staff_token().await;
        let table: Value = self
            .post_json(
                &token,
                &format!("/api/processes/{process_id}/roundtables"),
                json!({"title": title, "anonymous": anonymous}),
            )
            .await
            .json()
            .await
            .unwrap();
        Table {
            process_id: process_id.to_string(),
            id: table["id"].as_str().unwrap().into(),
            join_code: table["join_code"].as_str().unwrap().into(),
        }
    }

    /// GET with a Bearer token (None: no credentials at all) and an Accept-Language.
    pub async fn get_as(&self, token: Option<&str>, path: &str, lang: &str) -> reqwest::Response {
        let client = reqwest::Client::new();
        let mut request = client.get(self.url(path)).header("Accept-Language", lang);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request sent")
    }

    /// A new facilitator account, made facilitator of `table` by the planning office; returns
    /// its token.
    pub async fn facilitator_of(&self, table: &Table, email: &str) -> String {
        self.create_account(email, "facilitatore-1", "facilitator")
            .await;
        let response = self
            .post_json(
                &self.staff_token().await,
                &format!("/api/roundtables/{}/facilitators", table.id),
                json!({"email": email}),
            )
            .await;
        assert_eq!(response.status(), 200, "facilitator added");
        self.login(email, "facilitatore-1").await
    }

    /// A new account with `role` (`planning_office` or `observer`) in `table`'s process;
    /// returns its token.
    pub async fn member_of(&self, table: &Table, email: &str, role: &str) -> String {
        self.create_account(email, "membro-del-percorso", "facilitator")
            .await;
        let response = self
            .post_json(
                &self.staff_token().await,
                &format!("/api/processes/{}/members", table.process_id),
                json!({"email": email, "role": role}),
            )
            .await;
        assert_eq!(response.status(), 200, "member added");
        self.login(email, "membro-del-percorso").await
    }
}

/// Where `needle` still appears among the files and texts given: the erasure check of issue 9,
/// reusable by the export tests (pass the PDF's text, the CSV and the JSON as texts). Files are
/// searched as raw bytes (a SQLite file, its WAL and shared memory, a log).
pub fn places_holding(needle: &str, files: &[&Path], texts: &[(&str, &str)]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files {
        if let Ok(bytes) = std::fs::read(file)
            && bytes
                .windows(needle.len())
                .any(|window| window == needle.as_bytes())
        {
            found.push(file.display().to_string());
        }
    }
    for (what, text) in texts {
        if text.contains(needle) {
            found.push((*what).to_string());
        }
    }
    found
}

/// The SQLite database file of a test app and its companions (WAL, shared memory).
pub fn sqlite_files(data_dir: &Path) -> Vec<PathBuf> {
    ["tavoli.sqlite3", "tavoli.sqlite3-wal", "tavoli.sqlite3-shm"]
        .iter()
        .map(|name| data_dir.join(name))
        .collect()
}
