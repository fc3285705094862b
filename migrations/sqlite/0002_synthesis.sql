-- Tavoli schema, version 2 (SQLite): the planning office's synthesis. Cross-cutting themes and
-- intervention sheets (schede intervento) of a process, each linked to contributions of the
-- process's roundtables; the history of every sheet edit; decisions on similarity suggestions.
-- Links keep the roundtable of the card so a trace can be drawn without reading every board.

CREATE TABLE themes (
    id          TEXT PRIMARY KEY,
    process_id  TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- Optimistic concurrency: an edit names the version it was made on.
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX themes_process ON themes(process_id, created_at);

-- A theme links needs (contributions) and clusters, of any roundtable of its process.
CREATE TABLE theme_links (
    theme_id      TEXT NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    target_kind   TEXT NOT NULL CHECK (target_kind IN ('contribution', 'cluster')),
    target_id     TEXT NOT NULL,
    roundtable_id TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    PRIMARY KEY (theme_id, target_kind, target_id)
);
CREATE INDEX theme_links_target ON theme_links(target_id);

CREATE TABLE sheets (
    id                     TEXT PRIMARY KEY,
    process_id             TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    title                  TEXT NOT NULL,
    -- The other fields, a JSON object by snake_case name (docs/PROTOCOL.md, "Synthesis").
    fields                 TEXT NOT NULL DEFAULT '{}',
    -- The ranked proposal the sheet was drafted from, if any.
    source_contribution_id TEXT,
    version                INTEGER NOT NULL DEFAULT 1,
    created_by             TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX sheets_process ON sheets(process_id, created_at);

-- The trace: which contributions (needs) a sheet answers.
CREATE TABLE sheet_links (
    sheet_id        TEXT NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    contribution_id TEXT NOT NULL,
    roundtable_id   TEXT NOT NULL REFERENCES roundtables(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    PRIMARY KEY (sheet_id, contribution_id)
);
CREATE INDEX sheet_links_contribution ON sheet_links(contribution_id);

-- One row per version of a sheet: who, when, and what changed (JSON [{field, before, after}]).
-- The author's name is copied so the history still reads right after an account is removed.
CREATE TABLE sheet_history (
    sheet_id   TEXT NOT NULL REFERENCES sheets(id) ON DELETE CASCADE,
    version    INTEGER NOT NULL,
    changed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    by_name    TEXT NOT NULL,
    at         INTEGER NOT NULL,
    changes    TEXT NOT NULL,
    PRIMARY KEY (sheet_id, version)
);

-- What the planning office decided on a suggested pair of needs ("id1|id2", ids sorted), so a
-- rejected pair is not suggested again. Suggestions themselves are computed, never stored.
CREATE TABLE suggestion_decisions (
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    pair_key   TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    theme_id   TEXT REFERENCES themes(id) ON DELETE SET NULL,
    decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (process_id, pair_key)
);
