-- Staff's list of the practice's patients and the end-dating of their access (issue #20).
--
-- A patient is searched, as invitations are (0011, 0013), by folded terms written by the service:
-- one row per term for each practice the patient is linked to, so that a search never walks
-- another practice's patients. The terms of a patient's practice are written in the transaction
-- that links them; patients registered before this migration are indexed by the service when it
-- starts (rows with an empty `sort_name`).
CREATE TABLE patient_search_terms (
    practice_id     TEXT NOT NULL,
    term            TEXT COLLATE "C" NOT NULL,
    patient_id      TEXT NOT NULL REFERENCES patients (id),
    PRIMARY KEY (practice_id, term, patient_id)
);

-- The folded last name, then first name: the list's order, the same bytes on both databases.
ALTER TABLE patients ADD COLUMN sort_name TEXT COLLATE "C" NOT NULL DEFAULT '';

-- End-dating: `ended_at` (already there, and set on a declined sign-up) may now lie ahead, the
-- first moment of the chosen day on the practice's calendar; `ended_by` is the staff member who
-- set it (NULL for a declined sign-up, whose `decided_by` says who declined).
ALTER TABLE patient_links ADD COLUMN ended_by TEXT;
CREATE INDEX patient_links_patient ON patient_links (patient_id, practice_id);
