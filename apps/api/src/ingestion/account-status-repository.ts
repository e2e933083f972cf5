import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';

/**
 * The refresh token stopped working: the account waits for the user. (The accounts repository of the sign-in
 * service has the same write; one of the two goes when both land.)
 */
export async function markAccountNeedsReauth(db: Kysely<Database>, accountId: string): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ status: 'needs_reauth', updated_at: new Date() })
    .where('id', '=', accountId)
    .execute();
}

/** `accounts.provider`: which adapter serves the account (undefined when the account is gone). */
export async function accountProvider(db: Kysely<Database>, accountId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('accounts')
    .select('provider')
    .where('id', '=', accountId)
    .executeTakeFirst();
  return row?.provider;
}
