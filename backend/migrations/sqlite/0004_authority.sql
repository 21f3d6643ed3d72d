-- Authority and replay safety (issue "security doors"). Keep in step with
-- ../postgres/0004_authority.sql.

-- Who registered a matter: a field agent may screen (and take on) a matter
-- they registered at the doorstep, not one somebody else registered.
ALTER TABLE cases ADD COLUMN registered_by INTEGER REFERENCES users(id);

-- Every assignment of an agent to a case, so that a visit the former agent
-- recorded before a reassignment can be told from one recorded after it.
CREATE TABLE case_assignments (
    case_id     INTEGER NOT NULL REFERENCES cases(id),
    agent_id    INTEGER NOT NULL REFERENCES users(id),
    assigned_at TEXT NOT NULL,
    ended_at    TEXT
);
CREATE INDEX case_assignments_case ON case_assignments(case_id, agent_id);

-- Sessions end after a role's idle time (shared::authority::session_hours).
ALTER TABLE sessions ADD COLUMN last_seen TEXT;

-- A digest of each applied mutation: a replayed id with other content, or
-- from another user, is refused instead of answered with a stored result.
ALTER TABLE applied_mutations ADD COLUMN digest TEXT;

-- The visit a photo belongs to (none for scans added at the desk).
ALTER TABLE attachments ADD COLUMN visit_id TEXT;
