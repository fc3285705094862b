-- Tavoli schema, version 1 (PostgreSQL). Kept in step with migrations/sqlite/0001_init.sql:
-- the same tables, columns and constraints; integers are BIGINT so both sides read as i64.
-- Timestamps are Unix milliseconds (INTEGER); ids are lowercase hyphenated UUID strings.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('planning_office', 'facilitator')),
    created_at    BIGINT NOT NULL
);

-- Staff sessions: only the SHA-256 of the token is kept, so a leaked database opens nothing.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE processes (
    id          TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    owner       TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('co_programmazione', 'co_progettazione', 'processo_partecipativo')),
    description TEXT NOT NULL DEFAULT '',
    period      TEXT NOT NULL DEFAULT '',
    created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE roundtables (
    id          TEXT PRIMARY KEY,
    process_id  TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    join_code   TEXT NOT NULL UNIQUE,
    -- Fixed at creation: events are redacted once, when stored, for what everyone may see.
    anonymous   BIGINT NOT NULL DEFAULT 0,
    position    BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL
);
CREATE INDEX roundtables_process ON roundtables(process_id, position);

CREATE TABLE roundtable_facilitators (
    roundtable_id TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (roundtable_id, user_id)
);

-- Organisations are per process: people of one organisation share its ballot when voting by
-- organisation. `name_key` is the name trimmed and lower-cased, so "Auser " and "auser" are one.
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (process_id, name_key)
);

-- A participant's personal data lives here and only here (never in the event log), so that
-- erasure is one UPDATE.
CREATE TABLE participants (
    id              TEXT PRIMARY KEY,
    roundtable_id   TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    consent_at      BIGINT NOT NULL,
    revoked_at      BIGINT,
    erased_at       BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX participants_roundtable ON participants(roundtable_id);

-- The event log: the one source of truth of every roundtable.
-- `body` is the event as the server knows it; `public_body` is what anyone else may see
-- (secret ballots and anonymous authors removed), computed once when the event is stored.
CREATE TABLE events (
    roundtable_id TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    seq           BIGINT NOT NULL,
    type          TEXT NOT NULL,
    command_id    TEXT,
    at            BIGINT NOT NULL,
    v             BIGINT NOT NULL,
    body          TEXT NOT NULL,
    public_body   TEXT NOT NULL,
    PRIMARY KEY (roundtable_id, seq)
);

-- Idempotency: one row per applied command. A retried command_id finds its row and is answered
-- with the original seq; the primary key makes a double apply impossible even under a race.
CREATE TABLE commands (
    command_id    TEXT PRIMARY KEY,
    roundtable_id TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    last_seq      BIGINT NOT NULL,
    at            BIGINT NOT NULL
);
