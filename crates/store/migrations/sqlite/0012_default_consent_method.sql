-- How a practice's patients usually give consent (in_app, tablet or paper, checked by the
-- service): the invite form starts from it, and an invitation that names none takes it.
-- Existing practices keep what invitations have always defaulted to: in the app.
ALTER TABLE practices ADD COLUMN default_consent_method TEXT NOT NULL DEFAULT 'in_app';
