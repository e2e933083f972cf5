import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

// The columns the Kysely `Database` interface declares, per table. If a migration and schema.ts drift
// apart, this fails and names the table.
const declared: Record<string, string[]> = {
  users: ['id', 'email', 'display_name', 'created_at', 'updated_at'],
  accounts: [
    'id',
    'user_id',
    'provider',
    'provider_subject',
    'email',
    'refresh_token_enc',
    'scopes',
    'status',
    'created_at',
    'updated_at',
  ],
  emails: [
    'user_id',
    'account_id',
    'message_id',
    'thread_id',
    'internal_date',
    'from_addr',
    'to_addr',
    'subject',
    'snippet',
    'label_ids',
    'size_estimate',
    'parse_error',
    'ingested_at',
  ],
  ingestion_jobs: [
    'id',
    'user_id',
    'account_id',
    'kind',
    'status',
    'total',
    'listed',
    'ingested',
    'failed',
    'first_data_ms',
    'start_history_id',
    'list_page_token',
    'listing_done',
    'last_error',
    'last_progress_at',
    'created_at',
    'updated_at',
    'finished_at',
    'first_page_ids',
    'list_generation',
    'list_lease_until',
    'list_lease_owner',
  ],
  ingestion_failures: ['job_id', 'seq', 'message_id', 'reason', 'created_at'],
  ingestion_batches: [
    'job_id',
    'seq',
    'tier',
    'message_ids',
    'status',
    'attempts',
    'generation',
    'lease_until',
    'lease_owner',
    'message_count',
    'stored_count',
    'failed_count',
    'enqueued_at',
    'started_at',
    'finished_at',
    'last_error',
    'not_before',
    'task_owner',
  ],
  calendar_events: [
    'id',
    'user_id',
    'account_id',
    'calendar_id',
    'google_event_id',
    'kind',
    'status',
    'summary',
    'location',
    'all_day',
    'start_at',
    'end_at',
    'tzid',
    'dtstart_local',
    'duration_ms',
    'recurrence',
    'exceptions',
    'series_start',
    'series_end',
    'etag',
    'google_updated',
    'created_at',
    'updated_at',
    'parse_error',
  ],
  ingest_failures: [
    'account_id',
    'user_id',
    'source',
    'item_id',
    'reason',
    'first_seen_at',
    'last_seen_at',
    'count',
  ],
  sync_state: ['account_id', 'resource', 'cursor', 'last_synced_at', 'last_error', 'updated_at'],
  writeback_outbox: [
    'id',
    'user_id',
    'account_id',
    'calendar_event_id',
    'calendar_id',
    'google_event_id',
    'operation',
    'payload',
    'status',
    'attempts',
    'next_attempt_at',
    'last_error',
    'created_at',
    'done_at',
  ],
  sessions: ['id', 'user_id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent'],
  schema_migrations: ['name', 'checksum', 'applied_at'],
  work_leases: ['name', 'owner', 'lease_until', 'acquired_at'],
  quota_budgets: ['subject', 'tokens', 'refilled_at', 'blocked_until', 'last_granted'],
  quota_clocks: ['resource', 'last_tick_at', 'blocked_until'],
  quota_reserves: ['resource', 'tokens'],
  quota_allowances: ['resource', 'subject', 'tokens', 'rate_per_ms', 'blocked_until', 'last_granted'],
  quota_demands: ['resource', 'subject', 'class', 'units', 'expires_at', 'min_units'],
  quota_daily_usage: ['resource', 'day', 'class', 'units', 'shard'],
};

describe('schema', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test.drop());

  it('has exactly the columns the Database type declares', async () => {
    const { rows } = await sql<{ table_name: string; column_name: string }>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' order by table_name, ordinal_position`.execute(test.db);
    const actual: Record<string, string[]> = {};
    for (const row of rows) {
      actual[row.table_name] = [...(actual[row.table_name] ?? []), row.column_name];
    }
    for (const table of Object.keys(declared)) {
      expect(actual[table]?.sort(), table).toEqual(declared[table]?.slice().sort());
    }
  });

  it('rejects an unknown status through its CHECK constraint', async () => {
    const user = await test.db
      .insertInto('users')
      .values({ email: 'check@example.com', display_name: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await test.db
      .insertInto('accounts')
      .values({
        user_id: user.id,
        provider_subject: 'sub-check',
        email: 'check@example.com',
        refresh_token_enc: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await expect(
      sql`insert into ingestion_jobs (user_id, account_id, kind, status) values (${user.id}, ${account.id}, 'gmail_backfill', 'syncing')`.execute(
        test.db,
      ),
    ).rejects.toThrow(/ingestion_jobs_status_check/);
  });

  it('allows one unfinished job of a kind per account', async () => {
    const user = await test.db
      .insertInto('users')
      .values({ email: 'one@example.com', display_name: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await test.db
      .insertInto('accounts')
      .values({
        user_id: user.id,
        provider_subject: 'sub-one',
        email: 'one@example.com',
        refresh_token_enc: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const job = {
      user_id: user.id,
      account_id: account.id,
      kind: 'gmail_backfill' as const,
      total: null,
      first_data_ms: null,
      start_history_id: null,
      list_page_token: null,
      last_error: null,
      finished_at: null,
    };
    await test.db.insertInto('ingestion_jobs').values(job).execute();
    await expect(test.db.insertInto('ingestion_jobs').values(job).execute()).rejects.toThrow(
      /ingestion_jobs_one_active_idx/,
    );
    await test.db
      .updateTable('ingestion_jobs')
      .set({ status: 'complete' })
      .where('account_id', '=', account.id)
      .execute();
    await test.db.insertInto('ingestion_jobs').values(job).execute();
  });

  it('serves the inbox query (all accounts, keyset on date, account, id) from emails_user_date_idx, without a sort', async () => {
    // An empty table makes a seq scan cheapest; forbid it so the plan shows what the index can serve.
    const plan = await test.db.connection().execute(async (conn) => {
      await sql`set enable_seqscan = off`.execute(conn);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`
        explain select message_id from emails where user_id = '00000000-0000-0000-0000-000000000001'
        order by internal_date desc, account_id desc, message_id desc limit 50`.execute(conn);
      await sql`reset enable_seqscan`.execute(conn);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index (Only )?Scan using emails_user_date_idx/);
    expect(plan).not.toMatch(/Sort/);
  });
});
