-- 0005: one bad value from Google never fails its neighbours (issue 14).
--
-- Gmail documents sizeEstimate as a plain integer; nothing bounds it to 2^31. A bigint holds any exact JS number
-- (packages/db reads int8 as a number; the parser keeps sizes ≤ 2^53 - 1).
ALTER TABLE emails ALTER COLUMN size_estimate TYPE bigint;

-- Why an event was stored with less than Google sent (a field that did not parse), as emails.parse_error.
ALTER TABLE calendar_events ADD COLUMN parse_error text;

-- Items from Google that could not be stored at all (no id, no date, refused by the database) or that a sync
-- skipped for a reason, Gmail and Calendar alike, for the ops page and /metrics. One row per (account, source,
-- item, reason): seeing it again bumps `count` and `last_seen_at`, so re-runs and retries stay one row.
-- `item_id` is '' when the item had no readable id. Never the item's content: ids and reasons only.
CREATE TABLE ingest_failures (
  account_id     uuid NOT NULL REFERENCES google_accounts (id) ON DELETE CASCADE,
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  source         text NOT NULL CHECK (source IN ('gmail', 'calendar')),
  item_id        text NOT NULL CHECK (length(item_id) <= 1024),
  reason         text NOT NULL CHECK (length(reason) <= 500),
  first_seen_at  timestamptz NOT NULL DEFAULT now(),
  last_seen_at   timestamptz NOT NULL DEFAULT now(),
  count          integer NOT NULL DEFAULT 1,
  PRIMARY KEY (account_id, source, item_id, reason)
);
-- The ops page's "recent failures".
CREATE INDEX ingest_failures_recent_idx ON ingest_failures (last_seen_at DESC);
