-- Validations of the Documento di proposta partecipata (issue 8). PostgreSQL keeps the same
-- numbering. Each row says who validated which edition of a process's document, and when: the
-- document prints the latest one, or "not yet validated".
CREATE TABLE document_validations (
    process_id     TEXT NOT NULL REFERENCES processes(id) ON DELETE CASCADE,
    -- 1, 2, 3, ... per process: each validation closes one edition of the document.
    version        INTEGER NOT NULL,
    validator_name TEXT NOT NULL,
    -- What the validator is, e.g. "Tecnico di garanzia della partecipazione".
    validator_role TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    validated_at   INTEGER NOT NULL,
    recorded_by    TEXT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (process_id, version)
);
