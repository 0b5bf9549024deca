-- Each practice's consent texts, versioned like its terms of use (docs/PRODUCT.md §5): a practice
-- without a row uses the built-in text as version 1, and every published text gets the next number.
CREATE TABLE consent_texts (
    practice_id         TEXT NOT NULL REFERENCES practices (id),
    version             BIGINT NOT NULL,
    body                TEXT NOT NULL,
    published_at        BIGINT NOT NULL,
    published_by        TEXT NOT NULL,
    PRIMARY KEY (practice_id, version)
);

-- A signature names the version of its practice's consent text it was given, a number as for the
-- terms. Until now every patient was given the built-in text, labelled "2026-11": version 1 (the
-- only label ever written, so the default stands for every row already here; inserts name it).
-- SQLite cannot change a column's type, so the column is replaced.
ALTER TABLE consents ADD COLUMN text_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE consents DROP COLUMN version;
ALTER TABLE consents RENAME COLUMN text_version TO version;

ALTER TABLE registrations ADD COLUMN consent_text_version BIGINT;
UPDATE registrations SET consent_text_version = 1 WHERE consent_version IS NOT NULL;
ALTER TABLE registrations DROP COLUMN consent_version;
ALTER TABLE registrations RENAME COLUMN consent_text_version TO consent_version;
