-- The staff inbox is read a page at a time, newest first, by (last message, id) keyset: this
-- index walks it backwards in order, the id settling threads whose last messages came in the
-- same millisecond. It replaces the index without the id.
CREATE INDEX threads_staff_page ON threads (staff_id, last_message_at, id);
DROP INDEX threads_staff;
