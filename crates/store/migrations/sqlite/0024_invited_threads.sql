-- Conversations waiting for their patient (issue #21): a staff member invites someone who has no
-- account yet straight into a secure conversation. The invitation is an ordinary one, sent by
-- email; the conversation's subject and first message (sealed) wait here until the invitation's
-- registration creates the account, which opens the thread under the id reserved here and lands
-- the new patient on it.
CREATE TABLE invited_threads (
    invitation_id   TEXT PRIMARY KEY REFERENCES invitations (id),
    thread_id       TEXT NOT NULL UNIQUE,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    staff_id        TEXT NOT NULL REFERENCES staff (id),
    subject_sealed  TEXT NOT NULL,
    body_sealed     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    -- When the registration opened the thread; NULL while it waits.
    opened_at       BIGINT
);
CREATE INDEX invited_threads_staff ON invited_threads (staff_id, created_at);
