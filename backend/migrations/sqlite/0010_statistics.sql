-- Statistics (issue 12). Keep in step with ../postgres/0010_statistics.sql.

-- The counters of shared::stats::contributions, kept for the registering
-- unit of each matter and for every unit above it, per month of receipt
-- ('' = the open matters by due date, a snapshot). The write path updates
-- them in the same transaction as the case row (backend/src/stats.rs), so a
-- unit's figures are one primary-key range, never a scan of its cases. Led
-- by the unit path, like every hot index: ready for distribution by county.
-- Filled from the cases at start-up when 'stats_built' is not in settings.
CREATE TABLE case_stats (
    unit_path TEXT NOT NULL,
    month     TEXT NOT NULL,
    stat_key  TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (unit_path, month, stat_key)
);

-- The period counters a matter adds to ('|total|agency|closed|'): the
-- drill-down selects exactly the matters behind a figure with the rule's
-- own answer, not a second copy of it in SQL.
ALTER TABLE cases ADD COLUMN stat_keys TEXT NOT NULL DEFAULT '';
-- Facts only known at the moment they happen (1/0; NULL: not yet, or
-- before statistics were kept): screened within the screening limit
-- (及时受理), closed within the handling limit (按期办结), and the last
-- quality inspection's verdict (质检).
ALTER TABLE cases ADD COLUMN screened_in_time INTEGER;
ALTER TABLE cases ADD COLUMN closed_in_time INTEGER;
ALTER TABLE cases ADD COLUMN quality_passed INTEGER;
-- The drill-down: a unit's matters received in a period.
CREATE INDEX cases_unit_accepted ON cases(unit_path, accepted_on);

-- 质检: the banner's supervision centre inspects a sample of closed matters
-- and marks each passed, or failed with the reasons and the fix asked for.
CREATE TABLE quality_checks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id),
    unit_path    TEXT NOT NULL,
    passed       INTEGER NOT NULL,
    reasons      TEXT NOT NULL,
    fix_asked    TEXT NOT NULL,
    inspected_by INTEGER NOT NULL REFERENCES users(id),
    inspected_on TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX quality_checks_unit ON quality_checks(unit_path, case_id);
CREATE INDEX quality_checks_case ON quality_checks(case_id);
