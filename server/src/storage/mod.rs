//! The only place that speaks SQL. Handlers, the live hub and server functions call these
//! methods; they never name a table.
//!
//! One interface (`Storage`), one implementation per database: `sqlite.rs` today, PostgreSQL
//! behind the same methods for deployments with several instances. The records below are
//! plain data, shared by both.

mod migrate;
mod sqlite;

use serde::Serialize;

use crate::config::DatabaseUrl;

pub use sqlite::SqliteStore;

/// Storage failures the caller must tell apart; anything else is `Other` (a 500, logged).
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("{0}")]
    Unsupported(String),
    #[error(transparent)]
    Other(#[from] sqlx::Error),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Serialize)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProcessRecord {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub kind: String,
    pub description: String,
    pub period: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RoundtableRecord {
    pub id: String,
    pub process_id: String,
    pub title: String,
    pub description: String,
    pub join_code: String,
    pub anonymous: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct OrganisationRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParticipantRecord {
    pub id: String,
    pub roundtable_id: String,
    pub name: String,
    pub organisation: String,
    pub organisation_kind: String,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct NewProcess {
    pub title: String,
    pub owner: String,
    pub kind: String,
    pub description: String,
    pub period: String,
    pub created_by: Option<String>,
}

/// A participant created in the same transaction as the `participant_joined` event, so a
/// join is either wholly stored or not at all.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    pub id: String,
    pub roundtable_id: String,
    pub process_id: String,
    pub name: String,
    pub organisation: String,
    pub organisation_kind: String,
    pub token_hash: String,
}

/// One event ready to be stored: the full form and the public one, both already JSON.
#[derive(Debug, Clone)]
pub struct EventRow {
    pub seq: u64,
    pub event_type: &'static str,
    pub command_id: Option<String>,
    pub at: i64,
    pub v: u16,
    pub body: String,
    pub public_body: String,
}

/// What one command wrote: its events, and the participant it created, if any.
#[derive(Debug, Clone)]
pub struct CommandWrite {
    pub roundtable_id: String,
    pub command_id: String,
    pub events: Vec<EventRow>,
    pub new_participant: Option<NewParticipant>,
}

/// An event read back from the log.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: u64,
    pub body: String,
}

/// The database behind Tavoli. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Storage {
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite(SqliteStore),
}

macro_rules! dispatch {
    ($self:ident, $store:ident => $body:expr) => {
        match &$self.backend {
            Backend::Sqlite($store) => $body,
        }
    };
}

// After `dispatch!`, which it uses.
mod documents;
pub use documents::{NewValidation, TimedEvent, ValidationRecord};

impl Storage {
    /// Opens (creating if needed) the database and applies pending migrations.
    pub async fn connect(url: &DatabaseUrl) -> Result<Self> {
        match url {
            DatabaseUrl::Sqlite(url) => Ok(Storage {
                backend: Backend::Sqlite(SqliteStore::connect(url).await?),
            }),
            DatabaseUrl::Postgres(_) => Err(StorageError::Unsupported(
                "PostgreSQL is not supported by this version of Tavoli yet: use a sqlite:// URL"
                    .into(),
            )),
        }
    }

    pub async fn health(&self) -> Result<()> {
        dispatch!(self, s => s.health().await)
    }

    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        password_hash: &str,
        role: &str,
        now: i64,
    ) -> Result<String> {
        dispatch!(self, s => s.create_user(email, name, password_hash, role, now).await)
    }
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        dispatch!(self, s => s.user_by_email(email).await)
    }
    pub async fn count_users(&self) -> Result<i64> {
        dispatch!(self, s => s.count_users().await)
    }
    pub async fn create_session(
        &self,
        user_id: &str,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<()> {
        dispatch!(self, s => s.create_session(user_id, token_hash, now, expires_at).await)
    }
    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<UserRecord>> {
        dispatch!(self, s => s.session_user(token_hash, now).await)
    }
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        dispatch!(self, s => s.delete_session(token_hash).await)
    }

    pub async fn create_process(&self, new: &NewProcess, now: i64) -> Result<String> {
        dispatch!(self, s => s.create_process(new, now).await)
    }
    pub async fn process(&self, id: &str) -> Result<Option<ProcessRecord>> {
        dispatch!(self, s => s.process(id).await)
    }
    pub async fn processes(&self) -> Result<Vec<ProcessRecord>> {
        dispatch!(self, s => s.processes().await)
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
        dispatch!(self, s => s.create_roundtable(process_id, title, description, join_code, anonymous, now).await)
    }
    pub async fn roundtable(&self, id: &str) -> Result<Option<RoundtableRecord>> {
        dispatch!(self, s => s.roundtable(id).await)
    }
    pub async fn roundtable_by_code(&self, join_code: &str) -> Result<Option<RoundtableRecord>> {
        dispatch!(self, s => s.roundtable_by_code(join_code).await)
    }
    pub async fn roundtables_of(&self, process_id: &str) -> Result<Vec<RoundtableRecord>> {
        dispatch!(self, s => s.roundtables_of(process_id).await)
    }
    pub async fn organisations_of(&self, process_id: &str) -> Result<Vec<OrganisationRecord>> {
        dispatch!(self, s => s.organisations_of(process_id).await)
    }

    pub async fn participant_by_token(
        &self,
        token_hash: &str,
    ) -> Result<Option<ParticipantRecord>> {
        dispatch!(self, s => s.participant_by_token(token_hash).await)
    }
    pub async fn participants_of(&self, roundtable_id: &str) -> Result<Vec<ParticipantRecord>> {
        dispatch!(self, s => s.participants_of(roundtable_id).await)
    }

    /// The roundtable and last seq a command id was applied with, if it was.
    pub async fn find_command(&self, command_id: &str) -> Result<Option<(String, u64)>> {
        dispatch!(self, s => s.find_command(command_id).await)
    }
    /// Events with `seq > since`, at most `limit`, in order; `public` picks the redacted form.
    pub async fn events_since(
        &self,
        roundtable_id: &str,
        since: u64,
        limit: u32,
        public: bool,
    ) -> Result<Vec<StoredEvent>> {
        dispatch!(self, s => s.events_since(roundtable_id, since, limit, public).await)
    }
    /// Writes every command of a batch in one transaction: all of them or none.
    pub async fn commit(&self, writes: &[CommandWrite], now: i64) -> Result<()> {
        dispatch!(self, s => s.commit(writes, now).await)
    }
}
