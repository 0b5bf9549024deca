-- At most one active provider code per owner (the practice itself, or one provider), so that two
-- rotations at once cannot leave two live codes.
CREATE UNIQUE INDEX provider_codes_one_active ON provider_codes (practice_id, COALESCE(provider_id, ''))
WHERE active;
