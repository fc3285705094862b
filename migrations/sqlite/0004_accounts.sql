-- Accounts, roles and privacy (issue 9). SQLite; migrations/postgres/0004_accounts.sql is the
-- same schema. Timestamps are Unix milliseconds.

-- Roles per process: the planning office runs all of a process, an observer reads it. The
-- account that created a process is its planning office as well (processes.created_by).
CREATE TABLE process_members (
    process_id TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('planning_office', 'observer')),
    added_at   INTEGER NOT NULL,
    PRIMARY KEY (process_id, user_id)
);
CREATE INDEX process_members_user ON process_members(user_id);

-- Who changed what, when: staff actions, readable by the planning office of the process.
-- Never holds a participant's name: participants appear by id only.
CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    at            INTEGER NOT NULL,
    user_id       TEXT REFERENCES users(id) ON DELETE SET NULL,
    process_id    TEXT REFERENCES processes(id) ON DELETE CASCADE,
    roundtable_id TEXT REFERENCES roundtables(id) ON DELETE CASCADE,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_process ON audit_log(process_id, at);

-- Processes shown on the public home page (the demo); others only to their staff.
ALTER TABLE processes ADD COLUMN listed INTEGER NOT NULL DEFAULT 0;

-- The version of the privacy notice a participant accepted, with consent_at.
ALTER TABLE participants ADD COLUMN consent_notice TEXT NOT NULL DEFAULT '';

-- Every process created so far stays visible to the account that created it.
INSERT INTO process_members (process_id, user_id, role, added_at)
    SELECT id, created_by, 'planning_office', created_at FROM processes WHERE created_by IS NOT NULL;
