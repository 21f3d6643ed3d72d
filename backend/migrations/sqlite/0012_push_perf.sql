-- Reads of private data (who saw which case's contact details, when), kept
-- apart from the audit chain so readers do not queue on the chain's head:
-- each read is one plain INSERT. A sealing step (audit::seal_reads) later
-- puts a digest of the unsealed rows into the chain (action 'read.seal')
-- and stamps them with that chain entry's hash, so editing or deleting a
-- sealed read breaks verification like any other audit row.
CREATE TABLE read_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    sealed_by TEXT
);
-- The sealer looks for unsealed rows; verification for one seal's rows.
CREATE INDEX read_events_sealed_by ON read_events(sealed_by, id);
