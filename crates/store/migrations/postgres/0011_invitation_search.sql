-- Searching and sorting a practice's invitations alike on both databases (issue #18). SQLite's
-- lower() folds ASCII only, so the service folds in Rust (portico_domain::search: lower case,
-- accents dropped) and stores what is searched: one row per folded name word, the email, the
-- username and the phone's digits (whole, national, last 7, last 4). A search is a prefix range
-- on `term`, which the primary key serves as an index; every needle of a search must match.
-- Each term carries its invitation's creation time and sort key (neither ever changes), so a
-- search finds the invitations it matches, in the list's order, without reading them all: only
-- the page shown is read from `invitations`.
-- Terms compare by byte ("C" collation), as SQLite compares them: a locale's collation would
-- order them differently and would not serve a prefix range.
--
-- Existing invitations are indexed by the service when it starts (rows with an empty
-- `sort_name`), not here: SQL cannot fold accents the way Rust does on both databases.
CREATE TABLE invitation_search_terms (
    practice_id     TEXT NOT NULL,
    term            TEXT COLLATE "C" NOT NULL,
    invitation_id   TEXT NOT NULL REFERENCES invitations (id),
    created_at      BIGINT NOT NULL,
    sort_name       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (practice_id, term, invitation_id) INCLUDE (created_at, sort_name)
);
CREATE INDEX invitation_search_terms_invitation ON invitation_search_terms (invitation_id, term);

-- The folded last name, then first name: the list's "last name A–Z" order, the same bytes on
-- both databases. Empty until the invitation is indexed.
ALTER TABLE invitations ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';

-- Each order of the list walks its own index (newest and oldest use invitations_practice); a
-- filter on a rare state (the dashboard's link to locked invitations) walks the state's own.
CREATE INDEX invitations_by_name ON invitations (practice_id, sort_name, id);
CREATE INDEX invitations_by_expiry ON invitations (practice_id, expires_at, id);
CREATE INDEX invitations_by_state ON invitations (practice_id, state, created_at, id);
