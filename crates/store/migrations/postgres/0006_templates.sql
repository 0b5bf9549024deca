-- A practice's own versions of message templates; without a row, the shipped default is used.
CREATE TABLE message_templates (
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    kind            TEXT NOT NULL,
    language        TEXT NOT NULL,
    subject         TEXT,
    body            TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    updated_by      TEXT NOT NULL,
    PRIMARY KEY (practice_id, kind, language)
);

-- The language an invitation's messages are written in.
ALTER TABLE invitations ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
