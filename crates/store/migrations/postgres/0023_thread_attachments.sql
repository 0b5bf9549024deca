-- Attachments of secure thread messages (issue #21): one file per message, a PDF, JPEG or PNG
-- told by its content, at most 5 MB. The file and the name it was uploaded under are health data
-- (a lab result, "maria-rash.jpg"): both stored sealed. The media type and the size are not, so
-- a thread can list its files without opening them.
CREATE TABLE thread_attachments (
    id              TEXT PRIMARY KEY,
    thread_id       TEXT NOT NULL REFERENCES threads (id),
    message_id      TEXT NOT NULL UNIQUE REFERENCES thread_messages (id),
    media_type      TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes      BIGINT NOT NULL,
    name_sealed     TEXT NOT NULL,
    content_sealed  BYTEA NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX thread_attachments_thread ON thread_attachments (thread_id);
