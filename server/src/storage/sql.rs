//! The SQL of Tavoli, written once for SQLite and PostgreSQL through sqlx's `Any` driver:
//! placeholders are `$1, $2, ...` (each used in increasing order, which SQLite binds by
//! position too), integers are 64-bit on both sides, and what differs (DDL, SQLite's pragmas)
//! lives in migrations/ and `connect`.
//!
//! SQLite: one file in WAL mode with `synchronous=FULL`, so an acknowledged event survives a
//! process crash and a power cut (docs/PROTOCOL.md, "What an ack promises"). PostgreSQL: the
//! default `synchronous_commit=on` gives the same promise.

use std::time::Duration;

use sqlx::{
    AnyPool, Row,
    any::{AnyPoolOptions, AnyRow},
};

use crate::config::DatabaseUrl;

use super::{
    CommandWrite, EventRow, NewProcess, OrganisationRecord, ParticipantRecord, ProcessRecord,
    Result, RoundtableRecord, StorageError, StoredEvent, UserRecord, migrate,
};

/// The database behind Tavoli. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Storage {
    /// Visible to sibling modules (one file per area of the schema) that add their own queries.
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    /// Kept for the PostgreSQL listener's own connection; never printed.
    url: std::sync::Arc<str>,
}

fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

fn user(row: &AnyRow) -> UserRecord {
    UserRecord {
        id: row.get("id"),
        email: row.get("email"),
        name: row.get("name"),
        password_hash: row.get("password_hash"),
        role: row.get("role"),
    }
}

fn process(row: &AnyRow) -> ProcessRecord {
    ProcessRecord {
        id: row.get("id"),
        title: row.get("title"),
        owner: row.get("owner"),
        kind: row.get("kind"),
        description: row.get("description"),
        period: row.get("period"),
        created_at: row.get("created_at"),
    }
}

fn roundtable(row: &AnyRow) -> RoundtableRecord {
    RoundtableRecord {
        id: row.get("id"),
        process_id: row.get("process_id"),
        title: row.get("title"),
        description: row.get("description"),
        join_code: row.get("join_code"),
        anonymous: row.get::<i64, _>("anonymous") != 0,
        created_at: row.get("created_at"),
    }
}

fn participant(row: &AnyRow) -> ParticipantRecord {
    ParticipantRecord {
        id: row.get("id"),
        roundtable_id: row.get("roundtable_id"),
        name: row.get("name"),
        organisation: row.get("organisation"),
        organisation_kind: row.get("organisation_kind"),
        revoked: row.get::<Option<i64>, _>("revoked_at").is_some(),
    }
}

/// Which database is behind the pool: the SQL is shared, the DDL and pragmas are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Set on every SQLite connection.
const SQLITE_PRAGMAS: &[&str] = &[
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 10000",
    // Freed space is zeroed, so an erased participant's name does not linger in the file.
    "PRAGMA secure_delete = ON",
];

/// `mode=rwc` makes SQLite create the file on first start.
fn with_create_mode(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Rows per multi-row INSERT: 500 events of 8 columns is 4,000 bound parameters, far under
/// SQLite's limit (32,766 since 3.32) and PostgreSQL's (65,535).
const ROWS_PER_INSERT: usize = 500;

/// `($1, $2), ($3, $4)` for 2 rows of 2 columns: numbered in increasing order, as the `Any`
/// driver needs on both databases.
fn values_placeholders(rows: usize, columns: usize) -> String {
    use std::fmt::Write;
    let mut sql = String::with_capacity(rows * columns * 6);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            let _ = write!(sql, "${}", row * columns + column + 1);
        }
        sql.push(')');
    }
    sql
}

const PARTICIPANT_SELECT: &str = "SELECT p.id, p.roundtable_id, p.name, p.revoked_at, o.name AS organisation, o.kind AS organisation_kind \
     FROM participants p JOIN organisations o ON o.id = p.organisation_id";

impl Storage {
    /// Opens the database (creating a SQLite file if needed) and applies pending migrations.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        match url {
            DatabaseUrl::Sqlite(url) | DatabaseUrl::Postgres(url) => Self::connect_url(url).await,
        }
    }

    async fn connect_url(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let mut options = AnyPoolOptions::new().max_connections(match backend {
            // Readers in parallel; the one writer task serialises writes anyway.
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        let url = match backend {
            Backend::Sqlite => {
                options = options.after_connect(|connection, _| {
                    Box::pin(async move {
                        use sqlx::Executor;
                        // FULL in WAL mode: the WAL is fsynced at every commit, so a committed
                        // (and so acknowledged) event survives a power cut, not only a crash.
                        for pragma in SQLITE_PRAGMAS {
                            connection.execute(*pragma).await?;
                        }
                        Ok(())
                    })
                });
                with_create_mode(url)
            }
            Backend::Postgres => url.to_string(),
        };
        let pool = options
            .acquire_timeout(Duration::from_secs(15))
            .connect(&url)
            .await?;
        let store = Storage {
            pool,
            backend,
            url: url.as_str().into(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::query(migrate::CREATE_TABLE)
            .execute(&self.pool)
            .await?;
        let applied: Vec<i64> =
            sqlx::query_scalar("SELECT version FROM tavoli_migrations ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        let migrations = match self.backend {
            Backend::Sqlite => migrate::SQLITE,
            Backend::Postgres => migrate::POSTGRES,
        };
        let known = migrations.last().map(|m| m.0).unwrap_or(0);
        if let Some(newest) = applied.last().filter(|v| **v > known) {
            return Err(StorageError::Unsupported(format!(
                "the database is at schema version {newest}, newer than this Tavoli ({known}): upgrade Tavoli"
            )));
        }
        for (version, name, sql) in migrations {
            if applied.contains(version) {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO tavoli_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(version)
            .bind(name)
            .bind(crate::clock::now_ms())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            tracing::info!(version, name, "applied migration");
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL of a PostgreSQL database, for a `LISTEN` connection of its own.
    pub fn postgres_url(&self) -> Option<&str> {
        (self.backend == Backend::Postgres).then_some(&*self.url)
    }

    pub async fn health(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        role: &str,
        now: i64,
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let result = sqlx::query("INSERT INTO users (id, email, name, password_hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(email.trim().to_lowercase())
            .bind(name)
            .bind(password_hash)
            .bind(role)
            .bind(now)
            .execute(&self.pool)
            .await;
        match result {
            Ok(_) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(StorageError::Conflict("email")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT * FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user))
    }

    pub async fn count_users(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<UserRecord>> {
        let row = sqlx::query("SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(user))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn create_process(&self, new: &NewProcess, now: i64) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO processes (id, title, owner, kind, description, period, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(&new.title)
        .bind(&new.owner)
        .bind(&new.kind)
        .bind(&new.description)
        .bind(&new.period)
        .bind(&new.created_by)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn process(&self, id: &str) -> Result<Option<ProcessRecord>> {
        let row = sqlx::query("SELECT * FROM processes WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(process))
    }

    pub async fn processes(&self) -> Result<Vec<ProcessRecord>> {
        let rows = sqlx::query("SELECT * FROM processes ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(process).collect())
    }

    pub async fn create_roundtable(
        &self,
        process_id: &str,
        title: &str,
        description: &str,
        join_code: &str,
        anonymous: bool,
        now: i64,
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let result = sqlx::query(
            "INSERT INTO roundtables (id, process_id, title, description, join_code, anonymous, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, (SELECT COUNT(*) FROM roundtables WHERE process_id = $7), $8)",
        )
        .bind(&id)
        .bind(process_id)
        .bind(title)
        .bind(description)
        .bind(join_code)
        .bind(anonymous as i64)
        .bind(process_id)
        .bind(now)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(StorageError::Conflict("join_code")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn roundtable(&self, id: &str) -> Result<Option<RoundtableRecord>> {
        let row = sqlx::query("SELECT * FROM roundtables WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(roundtable))
    }

    pub async fn roundtable_by_code(&self, join_code: &str) -> Result<Option<RoundtableRecord>> {
        let row = sqlx::query("SELECT * FROM roundtables WHERE join_code = $1")
            .bind(join_code)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(roundtable))
    }

    pub async fn roundtables_of(&self, process_id: &str) -> Result<Vec<RoundtableRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM roundtables WHERE process_id = $1 ORDER BY position, created_at",
        )
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(roundtable).collect())
    }

    pub async fn organisations_of(&self, process_id: &str) -> Result<Vec<OrganisationRecord>> {
        let rows = sqlx::query(
            "SELECT id, name, kind FROM organisations WHERE process_id = $1 ORDER BY name_key",
        )
        .bind(process_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| OrganisationRecord {
                id: row.get("id"),
                name: row.get("name"),
                kind: row.get("kind"),
            })
            .collect())
    }

    pub async fn participant_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<ParticipantRecord>> {
        let row = sqlx::query(&format!("{PARTICIPANT_SELECT} WHERE p.token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(participant))
    }

    pub async fn participants_of(&self, roundtable_id: &str) -> Result<Vec<ParticipantRecord>> {
        let rows = sqlx::query(&format!(
            "{PARTICIPANT_SELECT} WHERE p.roundtable_id = $1 ORDER BY p.created_at, p.id"
        ))
        .bind(roundtable_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(participant).collect())
    }

    pub async fn find_command(&self, command_id: &str) -> Result<Option<(String, u64)>> {
        let row = sqlx::query("SELECT roundtable_id, last_seq FROM commands WHERE command_id = $1")
            .bind(command_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| {
            (
                row.get("roundtable_id"),
                row.get::<i64, _>("last_seq") as u64,
            )
        }))
    }

    pub async fn events_since(
        &self,
        roundtable_id: &str,
        since: u64,
        limit: u32,
        public: bool,
    ) -> Result<Vec<StoredEvent>> {
        let sql = if public {
            "SELECT seq, public_body AS body FROM events WHERE roundtable_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        } else {
            "SELECT seq, body FROM events WHERE roundtable_id = $1 AND seq > $2 ORDER BY seq LIMIT $3"
        };
        let rows = sqlx::query(sql)
            .bind(roundtable_id)
            .bind(since as i64)
            .bind(limit as i64)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| StoredEvent {
                seq: row.get::<i64, _>("seq") as u64,
                body: row.get("body"),
            })
            .collect())
    }

    pub async fn open_timed_rounds(&self) -> Result<Vec<(String, bool, u32, i64)>> {
        let rows = sqlx::query(
            "SELECT e.roundtable_id, e.type, e.body, r.anonymous FROM events e JOIN roundtables r ON r.id = e.roundtable_id \
             WHERE e.type IN ('voting_opened', 'voting_closed') ORDER BY e.roundtable_id, e.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut open: std::collections::BTreeMap<(String, u32), (bool, i64)> = Default::default();
        for row in rows {
            let roundtable_id: String = row.get("roundtable_id");
            let body: serde_json::Value =
                serde_json::from_str(row.get::<&str, _>("body")).unwrap_or_default();
            let Some(round) = body["round"].as_u64() else {
                continue;
            };
            let key = (roundtable_id, round as u32);
            if row.get::<&str, _>("type") == "voting_closed" {
                open.remove(&key);
            } else if let Some(ends_at) = body["ends_at"].as_i64() {
                open.insert(key, (row.get::<i64, _>("anonymous") != 0, ends_at));
            }
        }
        Ok(open
            .into_iter()
            .map(|((id, round), (anonymous, ends_at))| (id, anonymous, round, ends_at))
            .collect())
    }

    /// Writes every command of a batch in one transaction: all of them or none. A `seq` or
    /// `command_id` already taken (another instance wrote first) is `Conflict`: the caller
    /// re-reads the log and decides again.
    pub async fn commit(&self, writes: &[&CommandWrite], now: i64) -> Result<()> {
        match self.try_commit(writes, now).await {
            Err(StorageError::Other(e)) if is_unique_violation(&e) => {
                Err(StorageError::Conflict("seq"))
            }
            other => other,
        }
    }

    async fn try_commit(&self, writes: &[&CommandWrite], now: i64) -> Result<()> {
        // BEGIN IMMEDIATE would be the SQLite idiom; with one writer task the deferred
        // transaction of the pool upgrades at the first INSERT and never meets another writer.
        let mut tx = self.pool.begin().await?;
        let mut last_by_roundtable: std::collections::BTreeMap<&str, u64> = Default::default();
        for write in writes {
            if let Some(p) = &write.new_participant {
                let name_key = p.organisation.trim().to_lowercase();
                sqlx::query(
                    "INSERT INTO organisations (id, process_id, name, name_key, kind, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (process_id, name_key) DO NOTHING",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(&p.process_id)
                .bind(p.organisation.trim())
                .bind(&name_key)
                .bind(&p.organisation_kind)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO participants (id, roundtable_id, organisation_id, name, token_hash, consent_at, created_at) \
                     VALUES ($1, $2, (SELECT id FROM organisations WHERE process_id = $3 AND name_key = $4), $5, $6, $7, $8)",
                )
                .bind(&p.id)
                .bind(&p.roundtable_id)
                .bind(&p.process_id)
                .bind(&name_key)
                .bind(&p.name)
                .bind(&p.token_hash)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let last_seq = write.events.last().map(|e| e.seq).unwrap_or(0);
            let entry = last_by_roundtable
                .entry(write.roundtable_id.as_str())
                .or_default();
            *entry = (*entry).max(last_seq);
        }
        // One multi-row INSERT per chunk, not one per row: each statement is a round trip to
        // the database thread, and with both cores busy fanning a ballot burst out, those
        // round trips were most of a batch's time (docs/BENCHMARKS.md, fix 4).
        let events: Vec<(&str, &EventRow)> = writes
            .iter()
            .flat_map(|w| w.events.iter().map(move |e| (w.roundtable_id.as_str(), e)))
            .collect();
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO events (roundtable_id, seq, type, command_id, at, v, body, public_body) VALUES {}",
                values_placeholders(chunk.len(), 8)
            );
            // Not kept prepared: every batch size is another statement.
            let mut query = sqlx::query(&sql).persistent(chunk.len() == 1);
            for (roundtable_id, event) in chunk {
                query = query
                    .bind(*roundtable_id)
                    .bind(event.seq as i64)
                    .bind(event.event_type)
                    .bind(event.command_id.as_deref())
                    .bind(event.at)
                    .bind(event.v as i64)
                    .bind(event.body.as_str())
                    .bind(event.public_body.as_str());
            }
            query.execute(&mut *tx).await?;
        }
        for chunk in writes.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO commands (command_id, roundtable_id, last_seq, at) VALUES {}",
                values_placeholders(chunk.len(), 4)
            );
            let mut query = sqlx::query(&sql).persistent(chunk.len() == 1);
            for write in chunk {
                let last_seq = write.events.last().map(|e| e.seq).unwrap_or(0);
                query = query
                    .bind(write.command_id.as_str())
                    .bind(write.roundtable_id.as_str())
                    .bind(last_seq as i64)
                    .bind(now);
            }
            query.execute(&mut *tx).await?;
        }
        if self.backend == Backend::Postgres {
            // Delivered to every listening instance when (and only if) this transaction
            // commits; they read the new events from the log and broadcast them.
            for (roundtable_id, seq) in last_by_roundtable {
                sqlx::query("SELECT pg_notify('tavoli_events', $1)")
                    .bind(format!("{roundtable_id}:{seq}"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // The ack is sent only after this returns: an earlier ack could announce a card that
        // a kill -9 then loses.
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::values_placeholders;

    #[test]
    fn placeholders_are_numbered_in_increasing_order() {
        assert_eq!(values_placeholders(1, 3), "($1, $2, $3)");
        assert_eq!(values_placeholders(2, 2), "($1, $2), ($3, $4)");
    }
}
