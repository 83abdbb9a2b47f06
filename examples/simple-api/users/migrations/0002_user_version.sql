-- Optimistic concurrency: every update adds one to a user's version, and an
-- update or delete may name the version it expects (HTTP If-Match, gRPC
-- expected_version). Rows written before this migration start at version 1.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
