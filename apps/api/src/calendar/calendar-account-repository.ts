import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';

/** The calendar's reads and writes of `accounts` (the sync's and write-back's account, the scheduler's list). */

export async function findCalendarAccount(db: Kysely<Database>, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'user_id', 'status', 'provider'])
    .where('id', '=', accountId)
    .executeTakeFirst();
}

export async function listActiveAccountIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('accounts').select('id').where('status', '=', 'active').execute();
  return rows.map((row) => row.id);
}
