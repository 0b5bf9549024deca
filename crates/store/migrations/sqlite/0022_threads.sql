-- Secure threads, "patient talk" (issue #21): a private conversation of one practice between one
-- staff member and one patient (and the patient's approved caregivers), optionally about a case
-- (its subject). No other staff member reads it. The subject and every message are health data:
-- stored sealed. Each side's unread count lives on the thread, so an inbox is one indexed read.
CREATE TABLE threads (
    id                TEXT PRIMARY KEY,
    practice_id       TEXT NOT NULL REFERENCES practices (id),
    staff_id          TEXT NOT NULL REFERENCES staff (id),
    patient_id        TEXT NOT NULL REFERENCES patients (id),
    subject_sealed    TEXT NOT NULL,
    last_message_at   BIGINT NOT NULL,
    staff_unread      BIGINT NOT NULL DEFAULT 0,
    patient_unread    BIGINT NOT NULL DEFAULT 0,
    staff_read_at     BIGINT,
    -- Messages so far: the next message's `seq`. Taken by the UPDATE that posts, so two messages
    -- posted at once are ordered (the row lock on PostgreSQL, the one writer on SQLite).
    message_count     BIGINT NOT NULL DEFAULT 0,
    -- The `seq` of the last message when the staff member last opened the thread: the patient's
    -- messages up to it show "Read".
    staff_read_seq    BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL
);
CREATE INDEX threads_staff ON threads (staff_id, last_message_at);
CREATE INDEX threads_patient ON threads (patient_id, last_message_at);

CREATE TABLE thread_messages (
    id              TEXT PRIMARY KEY,
    thread_id       TEXT NOT NULL REFERENCES threads (id),
    -- 'staff', 'patient', or 'caregiver' (then author_id is the caregiver's account).
    author_kind     TEXT NOT NULL CHECK (author_kind IN ('staff', 'patient', 'caregiver')),
    author_id       TEXT NOT NULL,
    body_sealed     TEXT NOT NULL,
    -- 1, 2, 3… within the thread: the order the messages are read in.
    seq             BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX thread_messages_thread ON thread_messages (thread_id, seq);
