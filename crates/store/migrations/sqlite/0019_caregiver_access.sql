-- Caregivers with proxy access (issue #20): a caregiver invited with a patient gets access to that
-- patient's portal at this practice once the caregiver has an account (registered, or an existing
-- one that entered the invitation's code), the patient has registered, the patient approved (or
-- staff recorded the caregiver's authority), and the caregiver confirmed the patient's birth date.
-- One row per caregiver invitation; the patient is known once their own invitation is redeemed.
-- Ended rows stay: they are the history of who could see what, and when that stopped.
CREATE TABLE caregiver_access (
    id                      TEXT PRIMARY KEY,
    practice_id             TEXT NOT NULL REFERENCES practices (id),
    caregiver_invitation_id TEXT NOT NULL UNIQUE REFERENCES invitations (id),
    patient_invitation_id   TEXT NOT NULL REFERENCES invitations (id),
    caregiver_id            TEXT NOT NULL REFERENCES patients (id),
    patient_id              TEXT REFERENCES patients (id),
    level                   TEXT NOT NULL CHECK (level IN ('full', 'read_only')),
    approved_at             BIGINT,
    approved_by_kind        TEXT CHECK (approved_by_kind IN ('patient', 'staff')),
    approved_by             TEXT,
    authority               TEXT CHECK (authority IN ('parent_of_minor', 'legal_guardian', 'health_care_proxy')),
    birth_date_attempts     BIGINT NOT NULL DEFAULT 0,
    birth_date_confirmed_at BIGINT,
    ended_at                BIGINT,
    ended_by_kind           TEXT CHECK (ended_by_kind IN ('patient', 'staff', 'caregiver', 'system')),
    ended_by                TEXT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
CREATE INDEX caregiver_access_caregiver ON caregiver_access (caregiver_id, created_at);
CREATE INDEX caregiver_access_patient ON caregiver_access (patient_id, created_at);
CREATE INDEX caregiver_access_patient_invitation ON caregiver_access (patient_invitation_id);
