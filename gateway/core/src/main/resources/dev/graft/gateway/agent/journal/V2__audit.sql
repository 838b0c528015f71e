-- Graft gateway journal, schema version 2: the hash-chained audit log. Idempotent like V1.
-- One row per record; detail is the canonical JSON of the record's detail object, time the
-- record's time in epoch milliseconds. The chain rules are bundle's AuditChain: the agent
-- verifies the whole table when it opens the journal.
CREATE TABLE IF NOT EXISTS audit_record (
  seq BIGINT PRIMARY KEY CHECK (seq >= 1),
  time_ms BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  detail VARCHAR(16384) NOT NULL,
  prev CHAR(64) NOT NULL,
  sha256 CHAR(64) NOT NULL
);
