//! Issue 4's storage floor: single-row commits per second on a fresh SQLite file with the
//! server's settings (WAL, `synchronous=FULL`), through the same driver the server uses.

use std::{
    str::FromStr,
    time::{Duration, Instant},
};

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

/// Commits per second over `duration`, one row per transaction, one connection.
pub async fn sqlite_commits_per_s(duration: Duration) -> anyhow::Result<f64> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("floor.sqlite3").display());
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::query("CREATE TABLE events (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        .execute(&pool)
        .await?;
    // About the size of a stored contribution event (body and public body).
    let body = "x".repeat(700);
    let started = Instant::now();
    let mut commits = 0u64;
    while started.elapsed() < duration {
        let mut tx = pool.begin().await?;
        sqlx::query("INSERT INTO events (body) VALUES (?)")
            .bind(&body)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        commits += 1;
    }
    Ok(commits as f64 / started.elapsed().as_secs_f64())
}
