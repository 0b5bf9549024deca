-- Consent on the front-desk tablet (issue #20): a staff member starts an invitation's
-- registration on the tablet and hands it to the patient. The ticket names that staff member,
-- who witnesses the consent signed there; such a registration ends on a neutral screen instead
-- of signing the patient in on a shared device.
ALTER TABLE registration_tickets ADD COLUMN kiosk_staff_id TEXT REFERENCES staff (id);
