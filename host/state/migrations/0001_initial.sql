-- Revisions: every reload attempt that changed or tried to change something.
CREATE TABLE revisions (
  number     INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT    NOT NULL,               -- RFC 3339 UTC
  source     TEXT    NOT NULL,               -- startup, sighup, file-watch, admin, cli, plugin:<name>, rollback:<n>
  author     TEXT    NOT NULL DEFAULT '',
  manifest   TEXT    NOT NULL,               -- the manifest as written: ${file:...} references unresolved
  diff       TEXT    NOT NULL DEFAULT '{}',  -- JSON, secrets redacted
  outcome    TEXT    NOT NULL CHECK (outcome IN ('applied', 'refused', 'rolled_back')),
  error      TEXT    NOT NULL DEFAULT ''     -- JSON {"plugin", "field", "reason"} when not applied
);

-- Events: every CloudEvent the host emitted, in order.
CREATE TABLE events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  type       TEXT NOT NULL,
  json       TEXT NOT NULL
);
CREATE INDEX events_by_type ON events (type);

-- Plugin history: which library ran as which instance, and when.
CREATE TABLE plugin_history (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at TEXT NOT NULL,
  instance   TEXT NOT NULL,
  action     TEXT NOT NULL,   -- started, stopped, failed, hung
  plugin     TEXT NOT NULL DEFAULT '',
  version    TEXT NOT NULL DEFAULT '',
  sha256     TEXT NOT NULL DEFAULT '',
  detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX plugin_history_by_instance ON plugin_history (instance);
