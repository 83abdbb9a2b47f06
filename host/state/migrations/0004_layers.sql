-- Layers proposed by config sources (config_propose_layer, ABI 1.1): a JSON
-- array of {proposer, source, instances: {name: merge patch}, host: {...}},
-- secret fields redacted (secrets_withheld then says so). A rollback restores them.
ALTER TABLE revisions ADD COLUMN layers TEXT NOT NULL DEFAULT '[]';
