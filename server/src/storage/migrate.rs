//! Embedded migrations: the SQL files are compiled into the binary and applied in order, each
//! in its own transaction, recorded in `tavoli_migrations`. A database newer than the binary is
//! refused rather than guessed at.

/// (version, name, SQL) for SQLite, in order. PostgreSQL keeps the same numbering.
pub const SQLITE: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "synthesis",
        include_str!("../../../migrations/sqlite/0002_synthesis.sql"),
    ),
    (
        3,
        "document_validations",
        include_str!("../../../migrations/sqlite/0003_document_validations.sql"),
    ),
    (
        4,
        "accounts",
        include_str!("../../../migrations/sqlite/0004_accounts.sql"),
    ),
];

/// The same versions for PostgreSQL.
pub const POSTGRES: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "synthesis",
        include_str!("../../../migrations/postgres/0002_synthesis.sql"),
    ),
    (
        3,
        "document_validations",
        include_str!("../../../migrations/postgres/0003_document_validations.sql"),
    ),
    (
        4,
        "accounts",
        include_str!("../../../migrations/postgres/0004_accounts.sql"),
    ),
];

pub const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS tavoli_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
