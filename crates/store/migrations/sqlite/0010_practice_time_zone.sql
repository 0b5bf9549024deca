-- A practice's time zone (an IANA name, checked by the service): the dates in its messages are
-- the dates of its own clock. Existing practices get US Eastern, the service's default.
ALTER TABLE practices ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'America/New_York';
