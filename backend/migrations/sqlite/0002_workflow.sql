-- The whole workflow: lifecycle state, the two forms' fields, the case
-- timeline, attachments, and the audit chain. Keep in step with
-- ../postgres/0002_workflow.sql.

-- Lifecycle (shared::lifecycle::Lifecycle as JSON) plus the columns queries need.
ALTER TABLE cases ADD COLUMN status TEXT NOT NULL DEFAULT 'screening';
ALTER TABLE cases ADD COLUMN lifecycle TEXT;
ALTER TABLE cases ADD COLUMN handling_level TEXT NOT NULL DEFAULT 'village';
ALTER TABLE cases ADD COLUMN source TEXT NOT NULL DEFAULT 'citizen';
-- A device-made UUID for matters created offline (screening at the doorstep):
-- the same matter pushed twice is one case.
ALTER TABLE cases ADD COLUMN client_ref TEXT;
-- 处置单
ALTER TABLE cases ADD COLUMN category TEXT;
ALTER TABLE cases ADD COLUMN task_group TEXT;
ALTER TABLE cases ADD COLUMN brief TEXT;
ALTER TABLE cases ADD COLUMN proposed_handling TEXT;
ALTER TABLE cases ADD COLUMN leader_opinion TEXT;
ALTER TABLE cases ADD COLUMN leader_instruction TEXT;
-- 代办单 result
ALTER TABLE cases ADD COLUMN notice_form TEXT;
ALTER TABLE cases ADD COLUMN result TEXT;
ALTER TABLE cases ADD COLUMN opinion TEXT;
ALTER TABLE cases ADD COLUMN concluded_on TEXT;
ALTER TABLE cases ADD COLUMN follow_up_due TEXT;
-- The overdue job's marks (it is safe to run twice: it acts once a day).
ALTER TABLE cases ADD COLUMN overdue_since TEXT;
ALTER TABLE cases ADD COLUMN last_auto_urge_on TEXT;
CREATE UNIQUE INDEX cases_client_ref ON cases(client_ref);
CREATE INDEX cases_status ON cases(status);

-- The timeline: every command applied to a case, in order.
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    label      TEXT NOT NULL,
    payload    TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users(id),
    at         TEXT NOT NULL,
    rev        INTEGER NOT NULL
);
CREATE INDEX case_events_case ON case_events(case_id);

-- Photos and scans: the file is on disk under data/attachments/<sha256>.
CREATE TABLE attachments (
    id           TEXT PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    uploaded_by  INTEGER NOT NULL REFERENCES users(id),
    at           TEXT NOT NULL,
    rev          INTEGER NOT NULL
);
CREATE INDEX attachments_case ON attachments(case_id);

-- Append-only audit log; each row carries the hash of the previous one.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT NOT NULL,
    actor_id  INTEGER,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
-- The chain's head: its row lock serialises appends.
CREATE TABLE audit_head (
    id        INTEGER PRIMARY KEY,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, last_hash) VALUES (1, 'genesis');
