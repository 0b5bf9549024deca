-- Issue #19: API tokens made on the staff pages, and the audit log read by patient.
--
-- Who made each API token: the staff member's id when an admin made it on the staff pages (or
-- through the API with their session); NULL for tokens made with `portico admin token create`.
ALTER TABLE api_tokens ADD COLUMN created_by TEXT REFERENCES staff (id);

-- The audit log filtered to one patient also shows the events about their invitations from
-- before they registered, which name the invitation as their subject and no patient yet: those
-- are found by subject, newest first, without walking the practice's whole trail.
CREATE INDEX audit_events_subject ON audit_events (subject_kind, subject_id, seq);
