-- Indexes the statistics benchmark at a league's volume asked for
-- (backend/examples/stats_bench.rs, docs/benchmarks.md). Keep in step with
-- ../postgres/0015_bench_indexes.sql.

-- PostgreSQL also gets cases_open_due (the open matters in due-date order,
-- covering the desk's scope and boards). Not here: at 100,000 matters
-- SQLite's overdue page was 8.5 ms without it, and with it SQLite's plan
-- for the due board by agent walked cases_agent over every agency matter
-- (7.9 ms → 132 ms, stats_bench, 2026-11-24).

-- The agents' appraisal counts each agent's visits in a period (the
-- agents of a unit's subtree, then their visits by this index).
CREATE INDEX visits_recorded ON visits(recorded_by, visited_at);
