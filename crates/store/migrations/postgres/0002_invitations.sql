-- Invitations, provider codes, programs with sign-up codes, registration tickets, API tokens.
-- Codes and tokens are stored only as keyed hashes (HMAC-SHA-256 with the server secret); codes
-- that staff must be able to show again are also kept sealed (encrypted with a key derived from
-- the same secret), so a database dump alone yields no usable code.

CREATE TABLE api_tokens (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    token_hash      TEXT NOT NULL UNIQUE,
    label           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_tokens_practice ON api_tokens (practice_id);

-- One active code per practice (provider_id NULL) and per provider; rotated codes stay, inactive,
-- so that their history is kept and a reused code can never collide.
CREATE TABLE provider_codes (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    provider_id     TEXT REFERENCES providers (id),
    code_hash       TEXT NOT NULL UNIQUE,
    code_sealed     TEXT NOT NULL,
    active          BOOLEAN NOT NULL,
    created_at      BIGINT NOT NULL,
    ended_at        BIGINT
);
CREATE INDEX provider_codes_owner ON provider_codes (practice_id, provider_id);

CREATE TABLE programs (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    name                TEXT NOT NULL,
    signup_code_hash    TEXT NOT NULL UNIQUE,
    signup_code_sealed  TEXT NOT NULL,
    enabled             BOOLEAN NOT NULL,
    policy              TEXT NOT NULL CHECK (policy IN ('notify', 'silent', 'approval')),
    messaging_allowed   BOOLEAN NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX programs_practice ON programs (practice_id);

CREATE TABLE invitations (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    created_by      TEXT NOT NULL,
    provider_id     TEXT REFERENCES providers (id),
    program_id      TEXT REFERENCES programs (id),
    related_to      TEXT REFERENCES invitations (id),
    relation        TEXT NOT NULL CHECK (relation IN ('patient', 'household', 'caregiver')),
    first_name      TEXT NOT NULL,
    last_name       TEXT NOT NULL,
    birth_date      TEXT NOT NULL,
    email           TEXT,
    phone           TEXT,
    username        TEXT UNIQUE,
    contact_time    TEXT,
    notes           TEXT,
    channels        TEXT NOT NULL,
    consent_method  TEXT NOT NULL CHECK (consent_method IN ('in_app', 'tablet', 'paper')),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'sent', 'delivered', 'redeemed', 'expired', 'revoked', 'locked')),
    code_hash       TEXT UNIQUE,
    link_hash       TEXT UNIQUE,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    expires_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX invitations_practice ON invitations (practice_id, created_at, id);
CREATE INDEX invitations_related ON invitations (related_to);

-- Every change of state, with who made it and when.
CREATE TABLE invitation_events (
    invitation_id   TEXT NOT NULL REFERENCES invitations (id),
    seq             BIGINT NOT NULL,
    practice_id     TEXT NOT NULL,
    state           TEXT NOT NULL,
    at              BIGINT NOT NULL,
    actor_kind      TEXT NOT NULL,
    actor_id        TEXT,
    PRIMARY KEY (invitation_id, seq)
);

-- Issued by a redemption or a code look-up; single use, short-lived; registration consumes it.
CREATE TABLE registration_tickets (
    ticket_hash     TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    invitation_id   TEXT REFERENCES invitations (id),
    provider_code_id TEXT REFERENCES provider_codes (id),
    program_id      TEXT REFERENCES programs (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);
