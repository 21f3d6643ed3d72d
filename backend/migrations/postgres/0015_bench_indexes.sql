-- Indexes the statistics benchmark at a league's volume asked for
-- (backend/examples/stats_bench.rs, docs/benchmarks.md). Keep in step with
-- ../sqlite/0015_bench_indexes.sql.

-- The open matters (the handling clock runs) in due-date order, with what
-- the desk's scope and boards test: the overdue queue's first page walks
-- it and stops after the page, instead of walking every closed matter of
-- three years in cases_due first (open matters are the recent ones), and
-- the due boards count from it alone (an index-only scan). Like cases_due,
-- it is not led by the unit path: the scope is an OR (unit, agent,
-- transferred) that no unit-path range serves; once partitioned by county
-- each partition has its own, so it stays local. PostgreSQL only: see
-- ../sqlite/0015_bench_indexes.sql.
CREATE INDEX cases_open_due ON cases(due_on, id, unit_path, unit_id, agent_id, handling_unit_id, task_group)
    WHERE status IN ('screening', 'handling');

-- The agents' appraisal counts each agent's visits in a period (the
-- agents of a unit's subtree, then their visits by this index).
CREATE INDEX visits_recorded ON visits(recorded_by, visited_at);
