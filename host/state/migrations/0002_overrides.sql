-- Configuration proposed by config-source plugins (config_propose): instance name
-- -> complete config object, applied on top of the manifest. Secret fields are
-- stored redacted, so such revisions cannot be rolled back to blindly.
ALTER TABLE revisions ADD COLUMN overrides TEXT NOT NULL DEFAULT '{}';
