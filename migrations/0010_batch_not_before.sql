-- Issue 17: a batch refused quota gives its worker back and is enqueued again for later (pg-boss startAfter,
-- Cloud Tasks scheduleTime). `not_before` records when that task becomes due, so the reconciler counts a
-- deliberately delayed task as lost only once it is overdue from then, not from `enqueued_at`.
-- (0010, not 0009: the quota scheduler's migration of the same issue takes 0009.)
ALTER TABLE ingestion_batches ADD COLUMN not_before timestamptz;
