import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/index.ts';
import type { TestDatabase } from '../src/testing/index.ts';
import { databaseBefore } from './before-migration.ts';

/** 0008 drops `revoked`, a status never written: Google's invalid_grant cannot tell revoked from expired. */
describe('migration 0008 (account status)', () => {
  let test: TestDatabase;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    ({ test, drop } = await databaseBefore('0008'));
    // A row a hand-edited database could hold: the old CHECK allowed it.
    await sql`
      insert into users (id, email) values ('00000000-0000-4000-8000-000000000001', 'ann@example.com');
      insert into accounts (id, user_id, provider_subject, email, status) values
        ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'sub-a', 'a@example.com', 'revoked'),
        ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-000000000001', 'sub-b', 'b@example.com', 'active');
    `.execute(test.db);
    await migrate(test.db);
  });
  afterAll(async () => {
    await drop?.();
  });

  it('turns a revoked account into one that needs the user to sign in again, and keeps the others', async () => {
    const rows = await test.db.selectFrom('accounts').select(['email', 'status']).orderBy('email').execute();
    expect(rows).toEqual([
      { email: 'a@example.com', status: 'needs_reauth' },
      { email: 'b@example.com', status: 'active' },
    ]);
  });

  it('refuses the dropped value', async () => {
    await expect(
      sql`update accounts set status = 'revoked' where email = 'b@example.com'`.execute(test.db),
    ).rejects.toThrow(/accounts_status_check/);
  });
});
