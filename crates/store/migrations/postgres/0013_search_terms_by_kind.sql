-- Search terms by kind (issue #18's benchmark): an email address or username is stored whole with
-- a leading '@' (looked for only by needles that look like one), and its pieces split between
-- letters and digits, without the pieces run together. A name typed in a search no longer walks
-- every address that starts with it. The terms are folded in Rust, so they are rebuilt by the
-- service when it starts, as after 0011: every invitation is marked as not indexed yet.
DELETE FROM invitation_search_terms;
UPDATE invitations SET sort_name = '';
