-- The statistics drill-down's members. Keep in step with ../sqlite/0013_stat_members.sql.

-- One row per period counter a matter adds to (shared::stats::contributions,
-- month <> ''), for its unit and every unit above it, exactly as case_stats
-- counts them: written by the same delta in the same transaction
-- (backend/src/stats.rs). A figure's page of matters (most urgent due date
-- first) reads, for each month of the period, the first rows of one range of
-- the primary key (unit path, key, month: in due-date order) and merges
-- them. Led by the unit path, like every hot index: ready for distribution
-- by county.
CREATE TABLE case_stat_members (
    unit_path TEXT NOT NULL,
    stat_key  TEXT NOT NULL,
    due_on    TEXT NOT NULL,
    case_id   BIGINT NOT NULL,
    month     TEXT NOT NULL,
    PRIMARY KEY (unit_path, stat_key, month, due_on, case_id)
);

-- Filled from the cases at start-up: the statistics are rebuilt once
-- (backend/src/stats.rs, ensure_built), counters and members together.
DELETE FROM settings WHERE name = 'stats_built';
