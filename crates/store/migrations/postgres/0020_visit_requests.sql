-- Visit requests (issue #21): a patient (or their caregiver with full access) taps a card of the
-- visit screen and asks to be seen now or at a time, with a reason; staff answer: accept, propose
-- another time, or decline with a note. The reason and the note are health data: stored sealed
-- (encrypted under a key derived from the server secret), like queued messages.
CREATE TABLE visit_requests (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    link_id         TEXT NOT NULL REFERENCES patient_links (id),
    provider_id     TEXT REFERENCES providers (id),
    requested_by    TEXT NOT NULL REFERENCES patients (id),
    wanted_at       BIGINT,
    reason_sealed   TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('waiting', 'accepted', 'proposed', 'declined')),
    proposed_at     BIGINT,
    note_sealed     TEXT,
    answered_at     BIGINT,
    answered_by     TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX visit_requests_practice ON visit_requests (practice_id, state, created_at);
CREATE INDEX visit_requests_patient ON visit_requests (patient_id, created_at);
