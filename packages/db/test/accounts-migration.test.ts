import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/index.ts';
import type { TestDatabase } from '../src/testing/index.ts';
import { databaseBefore } from './before-migration.ts';

/** 0007 moves a live database: accounts get a provider, and mail, events and outbox rows their account. */
describe('migration 0007 (accounts of any provider)', () => {
  let test: TestDatabase;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ test, drop } = await databaseBefore('0007'));
    // Data as the product stored it before 0007: one Google account per user.
    await sql`
      insert into users (id, email) values
        ('00000000-0000-4000-8000-000000000001', 'ann@example.com'),
        ('00000000-0000-4000-8000-000000000002', 'ben@example.com');
      insert into google_accounts (id, user_id, google_sub, email, created_at) values
        ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'sub-ann', 'ann@example.com', now()),
        ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000002', 'sub-ben', 'ben@example.com', now());
      insert into emails (user_id, gmail_id, thread_id, internal_date) values
        ('00000000-0000-4000-8000-000000000001', 'same-id', 't1', now()),
        ('00000000-0000-4000-8000-000000000002', 'same-id', 't1', now());
      insert into calendar_events (user_id, calendar_id, google_event_id, kind, start_at, end_at) values
        ('00000000-0000-4000-8000-000000000002', 'primary', 'e1', 'single', now(), now());
      insert into writeback_outbox (user_id, calendar_id, google_event_id, operation) values
        ('00000000-0000-4000-8000-000000000002', 'primary', 'e1', 'delete_series');
    `.execute(test.db);
    await migrate(test.db);
  });
  afterAll(async () => {
    await drop?.();
  });

  it('keeps every account, now a Google one, with its subject', async () => {
    const accounts = await test.db
      .selectFrom('accounts')
      .select(['id', 'provider', 'provider_subject'])
      .orderBy('id')
      .execute();
    expect(accounts).toEqual([
      { id: '00000000-0000-4000-8000-0000000000a1', provider: 'google', provider_subject: 'sub-ann' },
      { id: '00000000-0000-4000-8000-0000000000b1', provider: 'google', provider_subject: 'sub-ben' },
    ]);
  });

  it("gives every stored row its user's account, losing none", async () => {
    const emails = await test.db
      .selectFrom('emails')
      .select(['account_id', 'message_id'])
      .orderBy('account_id')
      .execute();
    expect(emails).toEqual([
      { account_id: '00000000-0000-4000-8000-0000000000a1', message_id: 'same-id' },
      { account_id: '00000000-0000-4000-8000-0000000000b1', message_id: 'same-id' },
    ]);
    const event = await test.db.selectFrom('calendar_events').select('account_id').executeTakeFirstOrThrow();
    const outbox = await test.db
      .selectFrom('writeback_outbox')
      .select('account_id')
      .executeTakeFirstOrThrow();
    expect([event.account_id, outbox.account_id]).toEqual([
      '00000000-0000-4000-8000-0000000000b1',
      '00000000-0000-4000-8000-0000000000b1',
    ]);
  });

  it('lets a second account of the same user store a message id the first one has', async () => {
    await sql`
      insert into accounts (id, user_id, provider_subject, email) values
        ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000001', 'sub-ann-2', 'ann2@example.com');
      insert into emails (user_id, account_id, message_id, thread_id, internal_date) values
        ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000a2', 'same-id', 't1', now());
    `.execute(test.db);
    const count = await test.db
      .selectFrom('emails')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', '00000000-0000-4000-8000-000000000001')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(2);
  });
});
