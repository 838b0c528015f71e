-- Graft gateway journal, schema version 1. Every statement is idempotent: H2 commits DDL
-- implicitly, so a migration cut short by a crash is completed by running it again.
CREATE TABLE IF NOT EXISTS update_state (
  id INT PRIMARY KEY CHECK (id = 1),
  state VARCHAR(16) NOT NULL,
  target VARCHAR(1024) NOT NULL
);
CREATE TABLE IF NOT EXISTS module_slot (
  slot VARCHAR(16) PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  version VARCHAR(255) NOT NULL,
  sha256 CHAR(64) NOT NULL,
  release_counter BIGINT NOT NULL CHECK (release_counter >= 0)
);
CREATE TABLE IF NOT EXISTS floor (
  kind VARCHAR(16) PRIMARY KEY,
  floor BIGINT NOT NULL
);
MERGE INTO floor (kind, floor) KEY (kind) SELECT 'RELEASE', 0 WHERE NOT EXISTS (SELECT 1 FROM floor WHERE kind = 'RELEASE');
MERGE INTO floor (kind, floor) KEY (kind) SELECT 'TIME', 0 WHERE NOT EXISTS (SELECT 1 FROM floor WHERE kind = 'TIME');
CREATE TABLE IF NOT EXISTS failed_hash (
  sha256 CHAR(64) PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS report_counter (
  id INT PRIMARY KEY CHECK (id = 1),
  counter BIGINT NOT NULL
);
MERGE INTO report_counter (id, counter) KEY (id) SELECT 1, 0 WHERE NOT EXISTS (SELECT 1 FROM report_counter);
