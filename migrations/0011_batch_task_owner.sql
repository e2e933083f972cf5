-- A batch is `enqueued` from the moment its row says so until a worker leases it. Before issue 17 that was an
-- instant, and a worker that died held a lease its dead owner's free instance lock gave back in seconds (0004).
-- Non-blocking batches are enqueued again after every quota refusal, so a batch now spends much of its life
-- `enqueued`, and a process killed while it held the task (fetched, not yet leased) or before it sent it (row
-- written, task not) left the batch stuck until the queue's expiry (15 min) or the reconciler's backstop
-- (10 min). `task_owner` names the instance answerable for the batch's task meanwhile: the one that enqueued it,
-- then the one whose worker took the delivery. The lease sweep re-enqueues an enqueued batch whose task owner
-- is gone, as it does a running batch whose lease owner is gone (ingestion/reconciler.ts).
ALTER TABLE ingestion_batches ADD COLUMN task_owner text;

-- The sweep's scan (every lease-renew period): only enqueued batches.
CREATE INDEX ingestion_batches_enqueued_idx ON ingestion_batches (task_owner) WHERE status = 'enqueued';
