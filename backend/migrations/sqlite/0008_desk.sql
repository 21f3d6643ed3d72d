-- The desk workbench. Keep in step with ../postgres/0008_desk.sql.

-- 上报 moves a matter to the unit of the level above (the township station,
-- the banner centre, the league); NULL: handled by the unit that registered
-- it. The registering unit keeps read access through cases.unit_id.
ALTER TABLE cases ADD COLUMN handling_unit_id INTEGER REFERENCES units(id);
-- The day the solution plan was fixed: the 30/60-working-day limits run
-- from it (seeds 001/002).
ALTER TABLE cases ADD COLUMN plan_fixed_on TEXT;
CREATE INDEX cases_handling_unit ON cases(handling_unit_id, status);
-- While a 复查/复核 is pending: the level that decides it
-- (shared::desk::review_decider), for that level's inbox.
ALTER TABLE cases ADD COLUMN review_by TEXT;

-- 信访事项处置单: one per competent unit a matter is transferred to, with
-- its own 拟办意见 and that unit's 处理结果.
CREATE TABLE dispositions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id           INTEGER NOT NULL REFERENCES cases(id),
    unit_id           INTEGER NOT NULL REFERENCES units(id),
    proposed_handling TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    created_by        INTEGER NOT NULL REFERENCES users(id),
    result            TEXT,
    replied_at        TEXT,
    replied_by        INTEGER REFERENCES users(id)
);
-- Led by the unit: "what was transferred to us" is one index range.
CREATE INDEX dispositions_unit ON dispositions(unit_id, case_id);
CREATE INDEX dispositions_case ON dispositions(case_id);

-- The 编号 prefix of matters registered under a unit (the nearest unit up
-- the tree that has one wins; else the deployment's, in settings).
ALTER TABLE units ADD COLUMN number_prefix TEXT;

-- Deployment settings an administrator edits (e.g. 'number_prefix').
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Working-day schedules an administrator entered for years the built-in
-- calendar does not know: each listed day is a holiday ('off') or an
-- adjusted workday ('work'); a year with any row counts as scheduled.
CREATE TABLE calendar_days (
    day  TEXT PRIMARY KEY,
    year INTEGER NOT NULL,
    kind TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);
