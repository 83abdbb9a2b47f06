-- Libraries swapped in by an operator (hyperion swap, POST /v1/plugins/{name}/swap):
-- a JSON object instance -> {"library": "...", "sha256": "..."} kept on top of the
-- manifest's library: lines. A rollback restores them.
ALTER TABLE revisions ADD COLUMN libraries TEXT NOT NULL DEFAULT '{}';
