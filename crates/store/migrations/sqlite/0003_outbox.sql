-- The outbox (DESIGN §4): every message is written here in the same transaction as the change
-- that caused it, then delivered by a worker. The recipient and the rendered message are sealed
-- (encrypted with a key derived from the server secret) and dropped once delivered.

CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT REFERENCES practices (id),
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'voice')),
    subject_kind    TEXT,
    subject_id      TEXT,
    payload_sealed  TEXT,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'dead')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    claimed_by      TEXT,
    last_error      TEXT,
    provider_ref    TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_subject ON outbox (subject_kind, subject_id);
