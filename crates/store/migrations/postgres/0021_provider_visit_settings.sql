-- Per provider (issue #21): the questions a patient answers when asking them for a visit, and how
-- the provider hears of a new request (an email address or a mobile number; none: the waiting
-- list only). A request keeps the questions with their answers, sealed like its reason, so a
-- later change of the questions does not change what was answered.
CREATE TABLE provider_visit_settings (
    provider_id     TEXT PRIMARY KEY REFERENCES providers (id),
    practice_id     TEXT NOT NULL REFERENCES practices (id),
    prompts         TEXT NOT NULL,
    notify_channel  TEXT CHECK (notify_channel IN ('email', 'sms')),
    notify_to       TEXT,
    updated_at      BIGINT NOT NULL,
    CHECK ((notify_channel IS NULL) = (notify_to IS NULL))
);

ALTER TABLE visit_requests ADD COLUMN answers_sealed TEXT;
