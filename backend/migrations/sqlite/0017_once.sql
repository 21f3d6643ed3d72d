-- "At most once" rules held by the database, not only by a read before the
-- write (issue 22): each step of a reward batch happens once per batch (a
-- complaint once per claim). Concurrent presses of one step used to record
-- it several times on PostgreSQL; the earliest of such repeats is kept (each
-- press stays in the audit log).
DELETE FROM reward_batch_steps WHERE id NOT IN (
    SELECT MIN(id) FROM reward_batch_steps GROUP BY batch_id, step, COALESCE(claim_id, 0)
);
CREATE UNIQUE INDEX reward_batch_steps_once ON reward_batch_steps(batch_id, step, COALESCE(claim_id, 0));
