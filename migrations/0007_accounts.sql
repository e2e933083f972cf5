-- 0007: accounts of any provider, and mail and events keyed by the account they came from (issue 16).
-- One user may connect several accounts; two accounts' message or event ids may coincide, so the account is
-- part of every key. Existing rows belong to their user's only account (one per user until now); a user with
-- stored mail and no account cannot exist (mail only ever came from an account), so SET NOT NULL failing
-- here would mean a corrupt database, and the migration stops rather than guess.

ALTER TABLE google_accounts RENAME TO accounts;
ALTER TABLE accounts ADD COLUMN provider text NOT NULL DEFAULT 'google' CHECK (provider IN ('google'));
ALTER TABLE accounts RENAME COLUMN google_sub TO provider_subject;
ALTER TABLE accounts DROP CONSTRAINT google_accounts_google_sub_key;
ALTER TABLE accounts ADD CONSTRAINT accounts_provider_subject_key UNIQUE (provider, provider_subject);
ALTER TABLE accounts RENAME CONSTRAINT google_accounts_pkey TO accounts_pkey;
ALTER INDEX google_accounts_user_idx RENAME TO accounts_user_idx;

ALTER TABLE emails ADD COLUMN account_id uuid REFERENCES accounts (id) ON DELETE CASCADE;
UPDATE emails SET account_id = first.id
  FROM (SELECT DISTINCT ON (user_id) user_id, id FROM accounts ORDER BY user_id, created_at, id) AS first
  WHERE first.user_id = emails.user_id;
ALTER TABLE emails ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE emails RENAME COLUMN gmail_id TO message_id;
ALTER TABLE emails DROP CONSTRAINT emails_pkey;
ALTER TABLE emails ADD PRIMARY KEY (account_id, message_id);
-- The inbox (all of a user's accounts, newest first): keyset on (internal_date, account_id, message_id).
DROP INDEX emails_user_date_idx;
CREATE INDEX emails_user_date_idx ON emails (user_id, internal_date DESC, account_id DESC, message_id DESC);

ALTER TABLE ingestion_failures RENAME COLUMN gmail_id TO message_id;

ALTER TABLE calendar_events ADD COLUMN account_id uuid REFERENCES accounts (id) ON DELETE CASCADE;
UPDATE calendar_events SET account_id = first.id
  FROM (SELECT DISTINCT ON (user_id) user_id, id FROM accounts ORDER BY user_id, created_at, id) AS first
  WHERE first.user_id = calendar_events.user_id;
ALTER TABLE calendar_events ALTER COLUMN account_id SET NOT NULL;
ALTER TABLE calendar_events DROP CONSTRAINT calendar_events_user_id_calendar_id_google_event_id_key;
ALTER TABLE calendar_events ADD CONSTRAINT calendar_events_account_event_key
  UNIQUE (account_id, calendar_id, google_event_id);

-- The outbox writes back to the account the event belongs to.
ALTER TABLE writeback_outbox ADD COLUMN account_id uuid REFERENCES accounts (id) ON DELETE CASCADE;
UPDATE writeback_outbox SET account_id = first.id
  FROM (SELECT DISTINCT ON (user_id) user_id, id FROM accounts ORDER BY user_id, created_at, id) AS first
  WHERE first.user_id = writeback_outbox.user_id;
ALTER TABLE writeback_outbox ALTER COLUMN account_id SET NOT NULL;
