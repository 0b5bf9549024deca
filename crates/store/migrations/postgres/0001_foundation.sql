-- Foundation: practices, staff, providers, sessions, set-up tokens, throttles, the audit log.
-- Times are Unix milliseconds (BIGINT) so that both databases store and compare them alike.

CREATE TABLE practices (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    country         TEXT NOT NULL DEFAULT 'US',
    invite_expiry_days BIGINT NOT NULL DEFAULT 14,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX practices_name_key ON practices (lower(name));

CREATE TABLE staff (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    email           TEXT NOT NULL,
    email_key       TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'provider')),
    password_hash   TEXT NOT NULL,
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX staff_practice ON staff (practice_id);

CREATE TABLE providers (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    display_name    TEXT NOT NULL,
    staff_id        TEXT REFERENCES staff (id),
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX providers_practice ON providers (practice_id);

-- A session is known by the SHA-256 of its cookie token; the token itself is never stored.
CREATE TABLE sessions (
    token_hash      TEXT PRIMARY KEY,
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE setup_tokens (
    token_hash      TEXT PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

-- Fixed-window counters for guessing limits; the key is an HMAC of what is counted, never the raw value.
CREATE TABLE throttles (
    key             TEXT PRIMARY KEY,
    window_start    BIGINT NOT NULL,
    count           BIGINT NOT NULL
);

CREATE TABLE audit_events (
    seq             BIGINT PRIMARY KEY,
    at              BIGINT NOT NULL,
    practice_id     TEXT,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT,
    actor_role      TEXT,
    action          TEXT NOT NULL,
    subject_kind    TEXT,
    subject_id      TEXT,
    patient_id      TEXT,
    ip              TEXT,
    user_agent      TEXT,
    outcome         TEXT NOT NULL,
    details         TEXT NOT NULL,
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_events_practice ON audit_events (practice_id, seq);

-- The head of the chain: one row, updated in the same transaction as each append, which
-- serialises appenders so the chain never forks.
CREATE TABLE audit_head (
    id              BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq        BIGINT NOT NULL,
    last_hash       TEXT NOT NULL
);
INSERT INTO audit_head (id, last_seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the application never edits or deletes audit rows. This trigger makes an
-- accidental UPDATE or DELETE fail; `portico audit verify` catches anyone who goes around it.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
