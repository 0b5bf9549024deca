-- Consent records say how consent was given (issue #20): signed in the app with the typed name,
-- or on paper, witnessed by the staff member who uploaded the scan. A consent from before this
-- migration was signed in the app.
ALTER TABLE consents ADD COLUMN method TEXT NOT NULL DEFAULT 'in_app'
    CHECK (method IN ('in_app', 'tablet', 'paper'));
ALTER TABLE consents ADD COLUMN witnessed_by TEXT REFERENCES staff (id);

-- The scan of a signed paper form: its type, read from its first bytes, and its bytes sealed
-- (XChaCha20-Poly1305 under a key derived from the server secret), so the database never holds
-- a readable copy.
CREATE TABLE consent_documents (
    consent_id      TEXT PRIMARY KEY REFERENCES consents (id),
    media_type      TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    sealed          BYTEA NOT NULL,
    uploaded_at     BIGINT NOT NULL
);

-- A patient invited with consent on paper who has registered: their account waits, showing the
-- practice as "waiting for your signed consent form", until staff upload the scan.
CREATE TABLE consents_awaited (
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    invitation_id   TEXT REFERENCES invitations (id),
    since           BIGINT NOT NULL,
    PRIMARY KEY (patient_id, practice_id)
);
