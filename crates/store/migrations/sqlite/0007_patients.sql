-- Patients (DESIGN §5–§7): accounts made by registration, their links to practices, providers and
-- programs, sessions, terms of use and consent, the registration in progress, one-time codes for
-- phone verification and password recovery, and notifications for staff.

-- An account is reached by email (`email_key`, the normalised address) or, for patients without
-- email, by a username; at least one of the two.
CREATE TABLE patients (
    id                  TEXT PRIMARY KEY,
    email               TEXT,
    email_key           TEXT UNIQUE,
    username            TEXT UNIQUE,
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    phone               TEXT NOT NULL,
    phone_verified_at   BIGINT NOT NULL,
    password_hash       TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CHECK (email_key IS NOT NULL OR username IS NOT NULL)
);

-- One row per practice (and provider, and program) a patient belongs to. `pending` links wait for
-- a staff member's approval (programs with the approval policy) and show no practice data.
CREATE TABLE patient_links (
    id                  TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    provider_id         TEXT REFERENCES providers (id),
    program_id          TEXT REFERENCES programs (id),
    invitation_id       TEXT REFERENCES invitations (id),
    source              TEXT NOT NULL CHECK (source IN ('invitation', 'provider_code', 'signup_code')),
    status              TEXT NOT NULL CHECK (status IN ('active', 'pending')),
    created_at          BIGINT NOT NULL,
    decided_at          BIGINT,
    decided_by          TEXT,
    ended_at            BIGINT
);
CREATE UNIQUE INDEX patient_links_once ON patient_links
    (patient_id, practice_id, COALESCE(provider_id, ''), COALESCE(program_id, ''));
CREATE INDEX patient_links_practice ON patient_links (practice_id, status, created_at);

-- Sessions of patients, as for staff: keyed by the keyed hash of the cookie token.
CREATE TABLE patient_sessions (
    token_hash          TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    created_at          BIGINT NOT NULL,
    last_seen_at        BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL
);
CREATE INDEX patient_sessions_patient ON patient_sessions (patient_id);

-- Each practice's terms of use; a practice without a row uses the built-in text as version 1.
CREATE TABLE terms_versions (
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    version             BIGINT NOT NULL,
    body                TEXT NOT NULL,
    published_at        BIGINT NOT NULL,
    published_by        TEXT NOT NULL,
    PRIMARY KEY (practice_id, version)
);

CREATE TABLE terms_acceptances (
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    version             BIGINT NOT NULL,
    accepted_at         BIGINT NOT NULL,
    ip                  TEXT,
    PRIMARY KEY (patient_id, practice_id, version)
);

-- Digital consent signed in the app: the typed full name is the signature.
CREATE TABLE consents (
    id                  TEXT PRIMARY KEY,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    invitation_id       TEXT REFERENCES invitations (id),
    version             TEXT NOT NULL,
    signature           TEXT NOT NULL,
    signed_at           BIGINT NOT NULL,
    ip                  TEXT
);
CREATE INDEX consents_patient ON consents (patient_id);

-- A registration in progress, keyed by its ticket: what the patient typed (the password only as
-- its Argon2id hash) and which steps are done. Account creation reads it and marks the ticket used.
CREATE TABLE registrations (
    ticket_hash         TEXT PRIMARY KEY REFERENCES registration_tickets (ticket_hash),
    first_name          TEXT NOT NULL,
    last_name           TEXT NOT NULL,
    birth_date          TEXT NOT NULL,
    email               TEXT,
    username            TEXT,
    phone               TEXT NOT NULL,
    password_hash       TEXT NOT NULL,
    phone_verified_at   BIGINT,
    terms_version       BIGINT,
    terms_accepted_at   BIGINT,
    terms_ip            TEXT,
    consent_version     TEXT,
    consent_signature   TEXT,
    consent_signed_at   BIGINT,
    consent_ip          TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

-- Six-digit one-time codes: phone verification during registration (`subject` = the ticket hash)
-- and password recovery (`subject` = the patient, or NULL when no account matched, so that both
-- cases write the same rows). Only the newest code of a subject counts; older rows date re-sends.
CREATE TABLE one_time_codes (
    id                  TEXT PRIMARY KEY,
    purpose             TEXT NOT NULL CHECK (purpose IN ('phone', 'recovery')),
    subject             TEXT,
    code_hash           TEXT NOT NULL,
    channel             TEXT NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    used_at             BIGINT
);
CREATE INDEX one_time_codes_subject ON one_time_codes (purpose, subject, created_at);

-- What staff should look at: a sign-up under a notifying program, a link awaiting approval.
CREATE TABLE staff_notifications (
    id                  TEXT PRIMARY KEY,
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    kind                TEXT NOT NULL,
    patient_id          TEXT NOT NULL REFERENCES patients (id),
    link_id             TEXT REFERENCES patient_links (id),
    created_at          BIGINT NOT NULL,
    read_at             BIGINT
);
CREATE INDEX staff_notifications_practice ON staff_notifications (practice_id, created_at);
