-- Intake forms (issue #21): a practice's forms, each a series of versions. A version is never
-- changed once written: a form sent to a patient keeps the questions it was sent with, and its
-- answers are read against them, however the form is edited later. The questions are the
-- practice's words for everyone, stored plain (JSON); the answers are health data, sealed.
CREATE TABLE intake_forms (
    id              TEXT PRIMARY KEY,
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    -- The current version's title and number: a list of forms is one read.
    title           TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX intake_forms_practice ON intake_forms (practice_id, updated_at);

CREATE TABLE intake_form_versions (
    form_id         TEXT NOT NULL REFERENCES intake_forms (id),
    version         BIGINT NOT NULL,
    -- The title and the questions (JSON, `portico_domain::FormDefinition`).
    definition      TEXT NOT NULL,
    saved_by        TEXT NOT NULL REFERENCES staff (id),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- A form sent in a secure thread: it belongs to the message that sent it, and is read by whoever
-- reads the thread. The patient's draft is kept while they type; submitting writes the answers
-- once (`submitted_at` set only while it is empty) and clears the draft.
CREATE TABLE thread_forms (
    id                  TEXT PRIMARY KEY,
    thread_id           TEXT NOT NULL REFERENCES threads (id),
    message_id          TEXT NOT NULL UNIQUE REFERENCES thread_messages (id),
    form_id             TEXT NOT NULL,
    version             BIGINT NOT NULL,
    draft_sealed        TEXT,
    draft_saved_at      BIGINT,
    answers_sealed      TEXT,
    submitted_at        BIGINT,
    -- 'patient' or 'caregiver' (then submitted_by is the caregiver's account).
    submitted_by_kind   TEXT CHECK (submitted_by_kind IN ('patient', 'caregiver')),
    submitted_by        TEXT,
    created_at          BIGINT NOT NULL,
    FOREIGN KEY (form_id, version) REFERENCES intake_form_versions (form_id, version),
    CHECK ((submitted_at IS NULL) = (answers_sealed IS NULL))
);
CREATE INDEX thread_forms_thread ON thread_forms (thread_id);
CREATE INDEX thread_forms_form ON thread_forms (form_id, submitted_at);
