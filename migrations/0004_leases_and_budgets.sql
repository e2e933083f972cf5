-- 0004: leases that a dead worker gives back in seconds, and quota budgets shared by every instance.
--
-- Each API process holds a session-level advisory lock keyed by its instance id (ingestion/instance-liveness.ts).
-- A lease records its owner's id: when the owner's lock can be taken, the owner is gone (PostgreSQL drops a
-- session's locks the moment its connection ends, at once on SIGKILL), so its leases are reclaimed without
-- waiting for them to lapse. `lease_until` still bounds a live owner that stopped renewing (hung, partitioned).
ALTER TABLE ingestion_batches ADD COLUMN lease_owner text;
ALTER TABLE ingestion_jobs ADD COLUMN list_lease_owner text;

-- The lease sweep's scan of unfinished listers (it runs every few seconds).
CREATE INDEX ingestion_jobs_listing_idx ON ingestion_jobs (list_lease_until)
  WHERE listing_done = false AND kind = 'gmail_backfill';

-- Named leases for work that has no row of its own to hold one (an account's Gmail sync, its calendar sync):
-- `gmail-sync:<account id>`, `calendar-sync:<account id>`.
CREATE TABLE work_leases (
  name         text PRIMARY KEY,
  owner        text NOT NULL,
  lease_until  timestamptz NOT NULL,
  acquired_at  timestamptz NOT NULL DEFAULT now()
);

-- A token bucket per quota subject: `user:<user id>` for Gmail's per-user quota; a project-wide budget is one
-- more row (`project`). Every instance pays from the same row (one atomic UPDATE per Google call), so the
-- instance that takes a user over knows what the previous one spent. `tokens` may go negative (a large call's
-- debt delays the next one); `blocked_until` is the hold after Google answered 429.
CREATE TABLE quota_budgets (
  subject        text PRIMARY KEY,
  tokens         double precision NOT NULL,
  refilled_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  blocked_until  timestamptz NOT NULL DEFAULT '-infinity',
  -- What the last take granted (0: it had to wait): lets that one UPDATE … RETURNING say whether it paid.
  last_granted   double precision NOT NULL DEFAULT 0
);
