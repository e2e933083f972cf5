-- 0001: the tables the first issues need (ARCHITECTURE §8).
-- Status columns carry CHECK constraints so a bad transition fails in the database, not silently.

CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL UNIQUE,
  display_name  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE google_accounts (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id            uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  google_sub         text NOT NULL UNIQUE,
  email              text NOT NULL,
  -- AES-256-GCM: iv || tag || ciphertext; null until Google gives one (offline access).
  refresh_token_enc  bytea,
  scopes             text[] NOT NULL DEFAULT '{}',
  status             text NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'needs_reauth', 'revoked')),
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX google_accounts_user_idx ON google_accounts (user_id);

CREATE TABLE emails (
  user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  gmail_id       text NOT NULL,
  thread_id      text NOT NULL,
  internal_date  timestamptz NOT NULL,
  from_addr      text,
  to_addr        text,
  subject        text,
  snippet        text,
  label_ids      text[] NOT NULL DEFAULT '{}',
  size_estimate  integer,
  -- Why a message could not be fully parsed (it is still stored, with what could be read).
  parse_error    text,
  ingested_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, gmail_id)
);
-- The inbox query: newest first, keyset on (internal_date, gmail_id).
CREATE INDEX emails_user_date_idx ON emails (user_id, internal_date DESC, gmail_id DESC);

CREATE TABLE ingestion_jobs (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id        uuid NOT NULL REFERENCES google_accounts (id) ON DELETE CASCADE,
  kind              text NOT NULL CHECK (kind IN ('gmail_backfill', 'calendar_sync')),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'listing', 'running', 'paused', 'stalled', 'complete', 'failed')),
  -- getProfile.messagesTotal as soon as it answers; exact once listing ends.
  total             integer,
  listed            integer NOT NULL DEFAULT 0,
  ingested          integer NOT NULL DEFAULT 0,
  failed            integer NOT NULL DEFAULT 0,
  first_data_ms     integer,
  -- Gmail historyIds are unsigned 64-bit: numeric keeps them exact and comparable.
  start_history_id  numeric(20, 0),
  list_page_token   text,
  listing_done      boolean NOT NULL DEFAULT false,
  last_error        text,
  last_progress_at  timestamptz NOT NULL DEFAULT now(),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX ingestion_jobs_user_idx ON ingestion_jobs (user_id, created_at DESC);
-- At most one unfinished job of a kind per account: a second sign-in resumes, never forks.
CREATE UNIQUE INDEX ingestion_jobs_one_active_idx ON ingestion_jobs (account_id, kind)
  WHERE status NOT IN ('complete', 'failed');

CREATE TABLE ingestion_batches (
  job_id        uuid NOT NULL REFERENCES ingestion_jobs (id) ON DELETE CASCADE,
  seq           integer NOT NULL CHECK (seq >= 0),
  tier          text NOT NULL CHECK (tier IN ('now', 'high', 'low')),
  message_ids   text[] NOT NULL,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'enqueued', 'running', 'done', 'failed')),
  attempts      integer NOT NULL DEFAULT 0,
  -- Bumped on each re-enqueue so the queue's task name changes (Cloud Tasks refuses reused names).
  generation    integer NOT NULL DEFAULT 0,
  lease_until   timestamptz,
  message_count integer NOT NULL DEFAULT 0,
  stored_count  integer NOT NULL DEFAULT 0,
  failed_count  integer NOT NULL DEFAULT 0,
  enqueued_at   timestamptz,
  started_at    timestamptz,
  finished_at   timestamptz,
  last_error    text,
  PRIMARY KEY (job_id, seq)
);
-- The reconciler's scan: unfinished batches by lease expiry.
CREATE INDEX ingestion_batches_open_idx ON ingestion_batches (status, lease_until)
  WHERE status IN ('pending', 'enqueued', 'running');

CREATE TABLE calendar_events (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  calendar_id      text NOT NULL,
  google_event_id  text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('single', 'series')),
  status           text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'tentative', 'cancelled')),
  summary          text,
  location         text,
  all_day          boolean NOT NULL DEFAULT false,
  -- Singles: the event's instants. Series: the first occurrence.
  start_at         timestamptz NOT NULL,
  end_at           timestamptz NOT NULL,
  -- Series only: DTSTART as local wall-clock time in tzid, the rule lines, and the exceptions.
  tzid             text,
  dtstart_local    timestamp,
  duration_ms      bigint,
  recurrence       text[],
  exceptions       jsonb NOT NULL DEFAULT '{"cancelled": [], "overrides": {}}',
  series_start     timestamptz,
  series_end       timestamptz, -- null: unbounded
  etag             text,
  google_updated   timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, calendar_id, google_event_id),
  CHECK (end_at >= start_at),
  CHECK (kind = 'single' OR (recurrence IS NOT NULL AND series_start IS NOT NULL))
);
-- "Which singles overlap this window" and "which series touch this window": one range scan each.
CREATE INDEX calendar_events_singles_idx ON calendar_events (user_id, start_at) WHERE kind = 'single';
CREATE INDEX calendar_events_series_idx ON calendar_events (user_id, series_start) WHERE kind = 'series';

CREATE TABLE sync_state (
  account_id  uuid NOT NULL REFERENCES google_accounts (id) ON DELETE CASCADE,
  -- 'gmail' or 'calendar:<calendarId>'.
  resource    text NOT NULL,
  -- Gmail historyId or Calendar nextSyncToken; only moves forward, after what it covers is stored.
  cursor      text,
  last_synced_at timestamptz,
  last_error  text,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, resource)
);

CREATE TABLE writeback_outbox (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id           uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  calendar_event_id uuid REFERENCES calendar_events (id) ON DELETE SET NULL,
  calendar_id       text NOT NULL,
  google_event_id   text NOT NULL,
  operation         text NOT NULL
                    CHECK (operation IN ('cancel_occurrence', 'patch_occurrence', 'delete_series', 'split_series')),
  payload           jsonb NOT NULL DEFAULT '{}',
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'in_flight', 'done', 'failed')),
  attempts          integer NOT NULL DEFAULT 0,
  next_attempt_at   timestamptz NOT NULL DEFAULT now(),
  last_error        text,
  created_at        timestamptz NOT NULL DEFAULT now(),
  done_at           timestamptz
);
CREATE INDEX writeback_outbox_due_idx ON writeback_outbox (next_attempt_at) WHERE status IN ('pending', 'in_flight');
