-- The audit chain becomes keyed: each event's hash is an HMAC under a key derived from the
-- server secret, which is never stored here, so whoever can edit this database cannot recompute
-- the chain after changing a row. Events already written keep their plain SHA-256 hashes; the
-- head records the first keyed event. On a new database that is event 1. On an existing one it
-- is the next event, whose keyed hash covers the plain hash before it, and so seals every
-- earlier event too.
ALTER TABLE audit_head ADD COLUMN keyed_from_seq BIGINT NOT NULL DEFAULT 1;
UPDATE audit_head SET keyed_from_seq = last_seq + 1;
-- A MAC of a fixed text under the chain key, written with the first keyed event, so that
-- `portico audit verify` can tell "wrong secret key" apart from "edited event".
ALTER TABLE audit_head ADD COLUMN key_check TEXT;

-- "Who saw this patient's record": events are looked up by patient.
CREATE INDEX audit_events_patient ON audit_events (patient_id, seq);
