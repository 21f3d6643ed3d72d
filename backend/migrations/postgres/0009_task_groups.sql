-- The six township 代办专班组 as units (kind 'task_group', under their
-- township): which group a unit is. Keep in step with ../sqlite/0009_task_groups.sql.
ALTER TABLE units ADD COLUMN task_group TEXT;
-- A township has each group once.
CREATE UNIQUE INDEX units_task_group ON units(parent_id, task_group) WHERE task_group IS NOT NULL;
-- A group's queue: its township's open matters of its categories.
CREATE INDEX cases_task_group ON cases(unit_path, task_group, status);
