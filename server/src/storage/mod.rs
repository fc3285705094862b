//! The only place that speaks SQL. Handlers, the live hub and server functions call these
//! methods; they never name a table.
//!
//! One interface (`Storage`) for SQLite and PostgreSQL: the queries are written once
//! (`sql.rs`, through sqlx's `Any` driver) and the schema twice, in step
//! (migrations/sqlite/ and migrations/postgres/, same numbering). A new area of the schema
//! goes in a file of its own here with an `impl Storage` block. The records below are plain
//! data.

mod access;
mod copy;
mod migrate;
mod sql;

use serde::Serialize;

pub use access::{AuditEntry, ParticipantData};
pub use copy::COPY_ORDER;
pub use sql::{Backend, Storage};

/// The channel on which PostgreSQL instances announce `roundtable_id:seq` after a commit.
pub const EVENTS_CHANNEL: &str = "tavoli_events";

mod synthesis;
pub use synthesis::{
    Link, NewSheet, NewTheme, SheetHistoryRecord, SheetRecord, SheetUpdate, ThemeRecord,
    ThemeUpdate,
};

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

mod documents;
pub use documents::{NewValidation, TimedEvent, ValidationRecord};
