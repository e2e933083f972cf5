-- 0003: what the background backfill needs beyond 0001.
-- The first page's ids (the lister skips them, also when it is re-run from scratch), the lister's own
-- generation and lease (so a lost lister task is re-enqueued under a new name), and per-message failures
-- (a message that cannot be parsed is recorded with its reason; its batch goes on).
ALTER TABLE ingestion_jobs
  ADD COLUMN first_page_ids   text[] NOT NULL DEFAULT '{}',
  ADD COLUMN list_generation  integer NOT NULL DEFAULT 0,
  ADD COLUMN list_lease_until timestamptz;

CREATE TABLE ingestion_failures (
  job_id      uuid NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  seq         integer NOT NULL,
  gmail_id    text NOT NULL,
  reason      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, gmail_id)
);

-- "The account's next batch": unfinished batches of a job in order.
CREATE INDEX ingestion_batches_next_idx ON ingestion_batches (job_id, seq) WHERE status <> 'done';
