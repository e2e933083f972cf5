import type { AccountStatus, Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

/** `sync_state.resource` of the Gmail history cursor (written by `completeJobIfDone` when the backfill ends). */
export const GMAIL_RESOURCE = 'gmail';

export interface SyncTarget {
  accountId: string;
  userId: string;
  status: AccountStatus;
  /** The last historyId whose changes are stored (text in the table: Gmail ids are uint64). */
  cursor: string | null;
}

/** The account and its Gmail cursor; undefined until the backfill has completed (no sync_state row). */
export async function findSyncTarget(
  db: Kysely<Database>,
  accountId: string,
): Promise<SyncTarget | undefined> {
  const row = await db
    .selectFrom('accounts')
    .innerJoin('sync_state', 'sync_state.account_id', 'accounts.id')
    .select(['accounts.id', 'accounts.user_id', 'accounts.status', 'sync_state.cursor'])
    .where('accounts.id', '=', accountId)
    .where('sync_state.resource', '=', GMAIL_RESOURCE)
    .executeTakeFirst();
  return row && { accountId: row.id, userId: row.user_id, status: row.status, cursor: row.cursor };
}

/** Accounts whose backfill is done and whose grant still works: the ones the poll keeps in sync. */
export async function syncableAccountIds(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('accounts')
    .innerJoin('sync_state', 'sync_state.account_id', 'accounts.id')
    .select('accounts.id')
    .where('sync_state.resource', '=', GMAIL_RESOURCE)
    .where('sync_state.cursor', 'is not', null)
    .where('accounts.status', '=', 'active')
    .execute();
  return rows.map((row) => row.id);
}

/**
 * Moves the cursor to `historyId`, only forward (compared as uint64: the column is text, and '99' > '100' as
 * text), and stamps the outcome. Call it in the transaction that stores what the new cursor covers: a cursor
 * never runs ahead of the rows. Returns false when the stored cursor was already at or past `historyId`.
 */
export async function advanceCursor(
  trx: Kysely<Database>,
  accountId: string,
  historyId: string,
  lastError: string | null,
): Promise<boolean> {
  const current = await trx
    .selectFrom('sync_state')
    .select('cursor')
    .where('account_id', '=', accountId)
    .where('resource', '=', GMAIL_RESOURCE)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return false;
  const forward = current.cursor === null || BigInt(historyId) > BigInt(current.cursor);
  await trx
    .updateTable('sync_state')
    .set({
      ...(forward ? { cursor: historyId } : {}),
      last_synced_at: new Date(),
      last_error: lastError,
      updated_at: new Date(),
    })
    .where('account_id', '=', accountId)
    .where('resource', '=', GMAIL_RESOURCE)
    .execute();
  return forward;
}

/** A failed sync leaves the cursor where it was and says why (the ops page and the next attempt read it). */
export async function recordSyncError(db: Kysely<Database>, accountId: string, error: string): Promise<void> {
  await db
    .updateTable('sync_state')
    .set({ last_error: error.slice(0, 2000), updated_at: new Date() })
    .where('account_id', '=', accountId)
    .where('resource', '=', GMAIL_RESOURCE)
    .execute();
}

/** One statement for the set; returns how many rows were deleted (ids never stored are no-ops). */
export async function deleteEmails(
  db: Kysely<Database>,
  userId: string,
  gmailIds: string[],
): Promise<number> {
  if (gmailIds.length === 0) return 0;
  const result = await db
    .deleteFrom('emails')
    .where('user_id', '=', userId)
    .where('message_id', '=', sql<string>`any(${gmailIds}::text[])`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** A finished backfill hands over to incremental sync at the cursor taken before listing (nothing is missed). */
export async function startSyncAt(trx: Kysely<Database>, accountId: string, cursor: string): Promise<void> {
  await trx
    .insertInto('sync_state')
    .values({ account_id: accountId, resource: GMAIL_RESOURCE, cursor })
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'resource']).doUpdateSet({ cursor, updated_at: new Date() }),
    )
    .execute();
}
