-- Bulk imports (issue #22): a practice's patient file (CSV, FHIR Bundle, FHIR NDJSON) read row by
-- row into invitations. An import's counters move in the same transaction as the rows they count,
-- so `rows_done` is always exactly where a stopped run resumes: nothing before it is done twice,
-- nothing after it was written.
CREATE TABLE imports (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    -- The staff member (or API token) who started it, or 'cli' for the command line.
    started_by          TEXT NOT NULL,
    file_name           TEXT NOT NULL,
    -- SHA-256 of the file: the command line resumes an unfinished run of the same file.
    fingerprint         TEXT NOT NULL,
    format              TEXT NOT NULL CHECK (format IN ('csv', 'fhir', 'ndjson')),
    dry_run             BOOLEAN NOT NULL,
    -- What every invitation of the file shares (JSON: provider, program, channels, consent).
    settings            TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
    -- Rows in the file, counted before the run (for the time left); rows handled and committed.
    rows_total          BIGINT NOT NULL,
    rows_done           BIGINT NOT NULL DEFAULT 0,
    invited             BIGINT NOT NULL DEFAULT 0,
    handed_over         BIGINT NOT NULL DEFAULT 0,
    already_invited     BIGINT NOT NULL DEFAULT 0,
    already_registered  BIGINT NOT NULL DEFAULT 0,
    skipped             BIGINT NOT NULL DEFAULT 0,
    bad                 BIGINT NOT NULL DEFAULT 0,
    -- Why it stopped, when it failed as a whole (a file that is not CSV at all).
    failure             TEXT,
    -- A node running it holds it until then and renews; past it, another node may take it over.
    lease_until         BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    finished_at         BIGINT,
    -- When staff printed the hand-over sheets (once: each printing draws new codes).
    sheets_printed_at   BIGINT
);
CREATE INDEX imports_practice ON imports (practice_id, created_at);
CREATE INDEX imports_running ON imports (state, lease_until);

-- The rows an import could not use, with where they are and why (never the row's values).
CREATE TABLE import_problems (
    import_id           TEXT NOT NULL REFERENCES imports (id),
    seq                 BIGINT NOT NULL,
    place               TEXT NOT NULL,
    reason              TEXT NOT NULL,
    PRIMARY KEY (import_id, seq)
);

-- Who a practice has already invited by import, as keyed hashes (the external id; the names, date
-- of birth and a contact point): a second run of a file, or a later overlapping export, finds its
-- patients here and invites nobody twice, even when two runs race.
CREATE TABLE import_keys (
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    key_hash            TEXT NOT NULL,
    -- Deferred: a row claims its keys before it writes its invitation, so that a run that loses
    -- a race to another writes nothing at all.
    invitation_id       TEXT NOT NULL REFERENCES invitations (id) DEFERRABLE INITIALLY DEFERRED,
    -- The import that made the invitation: its hand-over sheets are printed from it.
    import_id           TEXT NOT NULL REFERENCES imports (id),
    PRIMARY KEY (practice_id, key_hash)
);
CREATE INDEX import_keys_import ON import_keys (import_id);
-- Each new invitation looks here for keys waiting on it (the deferred foreign key): without this
-- index that is a scan of every key per invitation.
CREATE INDEX import_keys_invitation ON import_keys (invitation_id);

-- A file uploaded on the staff console, kept until its import ends so that a restarted service
-- can resume it; sealed at rest like every other patient document.
CREATE TABLE import_files (
    import_id           TEXT PRIMARY KEY REFERENCES imports (id),
    content_sealed      BLOB NOT NULL
);
