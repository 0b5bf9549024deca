-- Security hardening (issue 15).

-- Growing waits after consecutive failures: sign-in failures per account (whoever types them) and
-- code look-up failures per client address. `key` is an HMAC of what is counted, as in
-- `throttles`; `blocked_until` is when the next attempt may be made (a very large value: locked
-- until a reset, e.g. after 100 consecutive failed sign-ins).
CREATE TABLE backoffs (
    key             TEXT PRIMARY KEY,
    failures        BIGINT NOT NULL,
    blocked_until   BIGINT NOT NULL
);

-- A registration ticket from an invitation dies when the invitation's code changes (a re-send):
-- the ticket remembers the code hash it was issued for.
ALTER TABLE registration_tickets ADD COLUMN invitation_code_hash TEXT;

-- The countries (ISO 3166 alpha-2, comma-separated) whose phone numbers may get verification
-- texts and calls; NULL means the practice's own country only.
ALTER TABLE practices ADD COLUMN phone_countries TEXT;
