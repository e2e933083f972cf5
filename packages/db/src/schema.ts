import type { ColumnType, Generated, JSONColumnType } from 'kysely';

/**
 * The database as Kysely sees it: one interface per table of `migrations/`.
 * Keep in step with the SQL (a test checks every column here exists in the migrated schema).
 */

/** A timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamptz with a database default. */
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;

export type AccountStatus = 'active' | 'needs_reauth';
/** Where an account's data comes from (migrations/0007); one adapter per provider in apps/api/src/providers. */
export type Provider = 'google';
export type JobKind = 'gmail_backfill' | 'calendar_sync';
export type JobStatus = 'pending' | 'listing' | 'running' | 'paused' | 'stalled' | 'complete' | 'failed';
export type BatchTier = 'now' | 'high' | 'low';
export type BatchStatus = 'pending' | 'enqueued' | 'running' | 'done' | 'failed';
export type EventKind = 'single' | 'series';
export type EventStatus = 'confirmed' | 'tentative' | 'cancelled';
export type WritebackOperation = 'cancel_occurrence' | 'patch_occurrence' | 'delete_series' | 'split_series';
export type WritebackStatus = 'pending' | 'in_flight' | 'done' | 'failed';

/** Occurrence exceptions of a series, keyed by original start (ISO instant, or date for all-day). */
export interface SeriesExceptions {
  cancelled: string[];
  overrides: Record<string, Record<string, unknown>>;
}

export interface UsersTable {
  id: Generated<string>;
  email: string;
  display_name: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

/** A connected account (migrations/0007: was accounts). A user may connect several. */
export interface AccountsTable {
  id: Generated<string>;
  user_id: string;
  provider: ColumnType<Provider, Provider | undefined, Provider>;
  /** The provider's stable id of the account (Google: the ID token's `sub`); unique per provider. */
  provider_subject: string;
  email: string;
  refresh_token_enc: Buffer | null;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface EmailsTable {
  user_id: string;
  /** The account the message came from: with `message_id`, the key (migrations/0007). */
  account_id: string;
  /** The provider's message id (Gmail's id), unique within the account. */
  message_id: string;
  thread_id: string;
  internal_date: Timestamp;
  from_addr: string | null;
  to_addr: string | null;
  subject: string | null;
  snippet: string | null;
  label_ids: ColumnType<string[], string[] | undefined, string[]>;
  /** bigint since migrations/0005 (Gmail does not bound it to 2^31); read as a number. */
  size_estimate: number | null;
  parse_error: string | null;
  ingested_at: TimestampDefault;
}

export interface IngestionJobsTable {
  id: Generated<string>;
  user_id: string;
  account_id: string;
  kind: JobKind;
  status: ColumnType<JobStatus, JobStatus | undefined, JobStatus>;
  total: number | null;
  listed: Generated<number>;
  ingested: Generated<number>;
  failed: Generated<number>;
  first_data_ms: number | null;
  /** numeric(20,0): read as a decimal string. */
  start_history_id: string | null;
  list_page_token: string | null;
  listing_done: Generated<boolean>;
  last_error: string | null;
  last_progress_at: TimestampDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  finished_at: Timestamp | null;
  first_page_ids: Generated<string[]>;
  list_generation: Generated<number>;
  list_lease_until: Timestamp | null;
  /** The instance id holding the lister's lease (migrations/0004). */
  list_lease_owner: string | null;
}

export interface IngestionFailuresTable {
  job_id: string;
  seq: number;
  message_id: string;
  reason: string;
  created_at: TimestampDefault;
}

export interface IngestionBatchesTable {
  job_id: string;
  seq: number;
  tier: BatchTier;
  message_ids: string[];
  status: ColumnType<BatchStatus, BatchStatus | undefined, BatchStatus>;
  attempts: Generated<number>;
  generation: Generated<number>;
  lease_until: Timestamp | null;
  message_count: Generated<number>;
  stored_count: Generated<number>;
  failed_count: Generated<number>;
  enqueued_at: Timestamp | null;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  last_error: string | null;
  lease_owner: string | null; // the instance id holding the lease (migrations/0004)
  not_before: Timestamp | null; // re-enqueued for later (refused quota): when its task is due (migrations/0010)
  /** While enqueued: the instance answerable for its task — its enqueuer, then its taker (migrations/0011). */
  task_owner: string | null;
}

export interface CalendarEventsTable {
  id: Generated<string>;
  user_id: string;
  /** The account the event was synced from (migrations/0007); unique with calendar_id and google_event_id. */
  account_id: string;
  calendar_id: string;
  google_event_id: string;
  kind: EventKind;
  status: ColumnType<EventStatus, EventStatus | undefined, EventStatus>;
  summary: string | null;
  location: string | null;
  all_day: Generated<boolean>;
  start_at: Timestamp;
  end_at: Timestamp;
  tzid: string | null;
  /** timestamp without time zone: local wall-clock DTSTART, read as 'YYYY-MM-DD HH:MM:SS'. */
  dtstart_local: string | null;
  duration_ms: number | null;
  recurrence: string[] | null;
  exceptions: JSONColumnType<SeriesExceptions, SeriesExceptions | undefined, SeriesExceptions>;
  series_start: Timestamp | null;
  series_end: Timestamp | null;
  etag: string | null;
  google_updated: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  /** Why the event was stored with less than Google sent (migrations/0005). */
  parse_error: ColumnType<string | null, string | null | undefined, string | null>;
}

export type IngestSource = 'gmail' | 'calendar';

/** An item from Google that could not be stored, or that a sync skipped, and why (migrations/0005). */
export interface IngestFailuresTable {
  account_id: string;
  user_id: string;
  source: IngestSource;
  /** '' when the item had no readable id. */
  item_id: string;
  reason: string;
  first_seen_at: TimestampDefault;
  last_seen_at: TimestampDefault;
  count: ColumnType<number, number | undefined, number>;
}

export interface SyncStateTable {
  account_id: string;
  resource: string;
  cursor: string | null;
  last_synced_at: Timestamp | null;
  last_error: string | null;
  updated_at: TimestampDefault;
}

export interface WritebackOutboxTable {
  id: Generated<number>;
  user_id: string;
  /** The account whose calendar is written back to (migrations/0007). */
  account_id: string;
  calendar_event_id: string | null;
  calendar_id: string;
  google_event_id: string;
  operation: WritebackOperation;
  payload: JSONColumnType<Record<string, unknown>, Record<string, unknown> | undefined>;
  status: ColumnType<WritebackStatus, WritebackStatus | undefined, WritebackStatus>;
  attempts: Generated<number>;
  next_attempt_at: TimestampDefault;
  last_error: string | null;
  created_at: TimestampDefault;
  done_at: Timestamp | null;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: TimestampDefault;
  last_seen_at: TimestampDefault;
  expires_at: Timestamp;
  user_agent: string | null;
}

/** Named leases (an account's Gmail or calendar sync), held by an instance id. */
export interface WorkLeasesTable {
  name: string;
  owner: string;
  lease_until: Timestamp;
  acquired_at: TimestampDefault;
}

/** A token bucket per quota subject (`user:<id>`, later `project`), shared by every instance. */
export interface QuotaBudgetsTable {
  subject: string;
  tokens: number;
  refilled_at: TimestampDefault;
  blocked_until: TimestampDefault;
  last_granted: Generated<number>;
}

/** The project quota scheduler's state (migrations/0009, apps/api/src/quota). */
export type QuotaResourceName = 'gmail' | 'calendar';
export type QuotaClassName = 'interactive' | 'sync' | 'high' | 'low';

/** Per resource: the tick's clock (locked `for update skip locked` by whichever instance plans) and a project hold. */
export interface QuotaClocksTable {
  resource: QuotaResourceName;
  last_tick_at: TimestampDefault;
  blocked_until: TimestampDefault;
}

/** The interactive class's reserve per resource. */
export interface QuotaReservesTable {
  resource: QuotaResourceName;
  tokens: Generated<number>;
}

/** What a (resource, user) may spend now; may go negative after an interactive charge. */
export interface QuotaAllowancesTable {
  resource: QuotaResourceName;
  subject: string;
  tokens: Generated<number>;
  rate_per_ms: Generated<number>;
  blocked_until: TimestampDefault;
  last_granted: Generated<number>;
}

/** A refused caller's demand by class, until `expires_at`. */
export interface QuotaDemandsTable {
  resource: QuotaResourceName;
  subject: string;
  class: QuotaClassName;
  units: number;
  min_units: Generated<number>; // the least it can use: credit below this cannot be spent yet
  expires_at: Timestamp;
}

/** Units granted per resource, UTC day and class, spread over `shard`s (0–15, by subject): readers sum them. */
export interface QuotaDailyUsageTable {
  resource: QuotaResourceName;
  day: ColumnType<Date, string, string>; // a `date`: read as Date (midnight UTC), written as 'YYYY-MM-DD'
  class: QuotaClassName;
  shard: Generated<number>;
  units: Generated<number>;
}

export interface SchemaMigrationsTable {
  name: string;
  checksum: string;
  applied_at: TimestampDefault;
}

export interface Database {
  users: UsersTable;
  accounts: AccountsTable;
  emails: EmailsTable;
  ingestion_jobs: IngestionJobsTable;
  ingestion_batches: IngestionBatchesTable;
  ingestion_failures: IngestionFailuresTable;
  ingest_failures: IngestFailuresTable;
  calendar_events: CalendarEventsTable;
  sync_state: SyncStateTable;
  writeback_outbox: WritebackOutboxTable;
  sessions: SessionsTable;
  work_leases: WorkLeasesTable;
  quota_budgets: QuotaBudgetsTable;
  quota_clocks: QuotaClocksTable;
  quota_reserves: QuotaReservesTable;
  quota_allowances: QuotaAllowancesTable;
  quota_demands: QuotaDemandsTable;
  quota_daily_usage: QuotaDailyUsageTable;
  schema_migrations: SchemaMigrationsTable;
}
