//! The test harness every end-to-end test uses: the real server, in-process, on port 0, with a
//! fresh SQLite file in a temporary directory; an HTTP client; a websocket client; and the path
//! of the real `tavoli` binary for tests that need a separate process (exit codes, kill -9).

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use tavoli_server::{Application, Config};
use tokio::sync::oneshot;

/// The workspace root (this crate lives in `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The `tavoli` binary built by `cargo build -p tavoli-server` (the test command builds it
/// first); `TAVOLI_BIN` overrides.
pub fn tavoli_bin() -> PathBuf {
    if let Ok(path) = std::env::var("TAVOLI_BIN") {
        return PathBuf::from(path);
    }
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| workspace_root().join("target"));
    let bin = target.join("debug").join("tavoli");
    assert!(bin.exists(), "{} is missing: run `cargo build -p tavoli-server --bin tavoli` first", bin.display());
    bin
}

/// A running server with its own database.
pub struct TestApp {
    pub base_url: String,
    pub port: u16,
    pub http: reqwest::Client,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestApp {
    /// Starts the real application on 127.0.0.1:0 with a fresh SQLite database.
    pub async fn spawn() -> TestApp {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let config = Config::for_tests(data_dir.path(), workspace_root().join("target").join("site"));
        let app = Application::build(config).await.expect("the server starts");
        let port = app.port();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(30)).build().expect("client");
        TestApp { base_url: format!("http://127.0.0.1:{port}"), port, http, data_dir, stop: Some(stop), task: Some(task) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("request sent")
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
