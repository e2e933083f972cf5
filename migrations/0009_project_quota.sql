-- 0009: the project-wide quota scheduler (apps/api/src/quota). One Google project's quota is shared by every
-- user and every instance; its state lives here so any instance can grant, and any instance can plan.
--
-- No hot row on the grant path: each (resource, user) pays from its own allowance row, one UPDATE … RETURNING
-- per grant. The plan (the "tick") runs every few hundred ms on whichever instance locks the clock row first
-- (`for update skip locked`), and credits allowances from the demands users left when they were refused.

-- Per resource: when it was last planned, and the hold after Google answered a project-level rate limit.
CREATE TABLE quota_clocks (
  resource       text PRIMARY KEY CHECK (resource IN ('gmail', 'calendar')),
  last_tick_at   timestamptz NOT NULL DEFAULT now(),
  blocked_until  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO quota_clocks (resource) VALUES ('gmail'), ('calendar');

-- The interactive class's reserve: refilled each tick by a fraction of the project rate, spent by first pages
-- and a user's own actions without waiting for the plan. A row of its own (not the clock's) so a first page
-- never waits behind a tick's transaction.
CREATE TABLE quota_reserves (
  resource  text PRIMARY KEY REFERENCES quota_clocks (resource),
  tokens    double precision NOT NULL DEFAULT 0
);
INSERT INTO quota_reserves (resource) VALUES ('gmail'), ('calendar');

-- What a user may spend now. `tokens` may go negative (an interactive call is charged here too; the user's next
-- credits pay it back). `rate_per_ms`: the user's last credit over the time it covered, for `retryInMs`.
-- `blocked_until`: the hold after Google answered 429 for this user. `last_granted`: what the last take paid
-- (every SET expression reads the row as it was, so the one UPDATE … RETURNING can say what it granted).
CREATE TABLE quota_allowances (
  resource       text NOT NULL REFERENCES quota_clocks (resource),
  subject        text NOT NULL,
  tokens         double precision NOT NULL DEFAULT 0,
  rate_per_ms    double precision NOT NULL DEFAULT 0,
  blocked_until  timestamptz NOT NULL DEFAULT '-infinity',
  last_granted   double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (resource, subject)
);

-- What a refused caller wants, by class: the next ticks credit it. Lapses at `expires_at` unless refreshed.
CREATE TABLE quota_demands (
  resource    text NOT NULL REFERENCES quota_clocks (resource),
  subject     text NOT NULL,
  class       text NOT NULL CHECK (class IN ('interactive', 'sync', 'high', 'low')),
  units       double precision NOT NULL CHECK (units > 0),
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (resource, subject, class)
);
CREATE INDEX quota_demands_expiry_idx ON quota_demands (resource, expires_at);

-- Units granted per resource, UTC day and class: the daily budget (a class stops at its fraction of it) and the
-- ops figures (units per stored message, per onboarded user).
CREATE TABLE quota_daily_usage (
  resource  text NOT NULL REFERENCES quota_clocks (resource),
  day       date NOT NULL,
  class     text NOT NULL CHECK (class IN ('interactive', 'sync', 'high', 'low')),
  units     double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (resource, day, class)
);
