-- 代办通 schema, SQLite dialect. Keep in step with ../postgres/0001_skeleton.sql:
-- same tables, columns and meanings; only types and identity syntax differ.
-- Integers are 64-bit everywhere so the `Any` driver decodes them alike.

-- The unit tree: league → banner → township / county department → village.
-- `path` is the chain of ids from the root, e.g. '/1/2/5/', so "everything
-- under unit X" is one indexed prefix match (see src/jurisdiction.rs).
CREATE TABLE units (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    parent_id INTEGER REFERENCES units(id),
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    role            TEXT NOT NULL,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    phone           TEXT,
    -- agent attributes (NULL agent_kind: not an agent)
    agent_kind      TEXT,
    full_time       INTEGER NOT NULL DEFAULT 0,
    registered      INTEGER NOT NULL DEFAULT 0,
    public_employee INTEGER NOT NULL DEFAULT 0
);

-- Only a hash of the session token is stored: a leaked table grants nothing.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- One row hands out the change sequence. Bumping it inside a write
-- transaction also serialises writers, so sequence order is commit order and
-- a pull cursor never skips a change committed late.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('change_seq', 0);

CREATE TABLE cases (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    number          TEXT NOT NULL UNIQUE,
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    citizen_name    TEXT NOT NULL,
    id_number       TEXT,
    phone           TEXT,
    address         TEXT,
    summary         TEXT NOT NULL,
    stage           TEXT NOT NULL,
    level           TEXT NOT NULL,
    channel         TEXT NOT NULL,
    accepted_on     TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    due_unscheduled INTEGER NOT NULL DEFAULT 0,
    agent_id        INTEGER REFERENCES users(id),
    rev             INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX cases_unit ON cases(unit_id);
CREATE INDEX cases_agent ON cases(agent_id);
CREATE INDEX cases_rev ON cases(rev);

-- Visit ids are UUIDs made on the device: the same visit pushed twice is the
-- same row.
CREATE TABLE visits (
    id          TEXT PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    visited_at  TEXT NOT NULL,
    method      TEXT NOT NULL,
    note        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    rev         INTEGER NOT NULL
);
CREATE INDEX visits_case ON visits(case_id);

-- Devices that sync, and every mutation they pushed with the answer given.
-- The answer is written in the same transaction as the change itself, so a
-- retried push replays it instead of applying the change twice.
CREATE TABLE sync_clients (
    client_id  TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL
);

CREATE TABLE applied_mutations (
    client_id   TEXT NOT NULL,
    mutation_id INTEGER NOT NULL,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    status      TEXT NOT NULL,
    code        TEXT,
    message     TEXT,
    applied_at  TEXT NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
);
