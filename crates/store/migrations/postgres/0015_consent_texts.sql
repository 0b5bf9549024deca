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
-- terms. Until now every patient was given the built-in text, labelled "2026-11": version 1. Any
-- other label would be unknown, and fails the migration rather than being guessed.
ALTER TABLE consents ALTER COLUMN version TYPE BIGINT
    USING (CASE version WHEN '2026-11' THEN 1 ELSE version::BIGINT END);
ALTER TABLE registrations ALTER COLUMN consent_version TYPE BIGINT
    USING (CASE consent_version WHEN '2026-11' THEN 1 ELSE consent_version::BIGINT END);
