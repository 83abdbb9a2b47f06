-- Whether a revision's stored overrides had secret values withheld (redacted).
-- Such a revision cannot be rolled back to: its secrets were never stored. The
-- host decides on this flag, never on the stored text. Rows written before this
-- column existed are marked from their text, once, here.
ALTER TABLE revisions ADD COLUMN secrets_withheld INTEGER NOT NULL DEFAULT 0;
UPDATE revisions SET secrets_withheld = 1 WHERE instr(overrides, '"<redacted>"') > 0;
