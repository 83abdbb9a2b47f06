-- Users. Emails are unique without regard to case ("Ada@x.org" = "ada@x.org").
-- Timestamps are RFC 3339 text in UTC, written by the repository.
CREATE TABLE users (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  email      TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
