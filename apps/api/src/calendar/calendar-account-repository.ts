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

/**
 * Until the accounts repository's `markNeedsReauth` (auth/) lands: the one write of the account's status the
 * calendar makes. At merge, one of the two goes (this one, if the accounts repository has it).
 */
export async function markCalendarAccountNeedsReauth(db: Kysely<Database>, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ status: 'needs_reauth', updated_at: new Date() })
    .where('id', '=', accountId)
    .execute();
}
