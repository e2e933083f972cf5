import type { Database, EmailsTable } from '@firstlight/db';
import { storeIsolated } from '@firstlight/db';
import { type Insertable, type Kysely, sql } from 'kysely';
import type { EmailPosition } from './email-cursor.ts';

export type NewEmail = Insertable<EmailsTable>;

/**
 * One statement for the whole set. Re-delivery (at-least-once tasks, a re-run batch) updates in place and never
 * duplicates: the key is (account_id, message_id). Labels and snippet may have changed since; the rest is immutable.
 * Returns how many rows were inserted (not updated).
 */
export async function upsertEmails(db: Kysely<Database>, emails: NewEmail[]): Promise<number> {
  if (emails.length === 0) return 0;
  const rows = await db
    .insertInto('emails')
    .values(emails)
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'message_id']).doUpdateSet((excluded) => ({
        label_ids: excluded.ref('excluded.label_ids'),
        snippet: excluded.ref('excluded.snippet'),
        parse_error: excluded.ref('excluded.parse_error'),
      })),
    )
    // xmax = 0 only on rows this statement inserted (an updated row carries the updating transaction's id).
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  return rows.filter((row) => row.inserted).length;
}

/**
 * `upsertEmails` for the ingestion paths: the chunk in one statement as before, and — only if the database
 * refuses it for some row's data (a value the parser did not foresee) — row by row, so that only the refused
 * rows are left out, each with its reason. In a transaction each attempt is a savepoint.
 */
export async function storeEmails(
  db: Kysely<Database>,
  emails: NewEmail[],
): Promise<{ inserted: number; stored: number; refused: { gmailId: string; reason: string }[] }> {
  // The same id twice in one INSERT … ON CONFLICT fails the statement (21000): Google sending a message twice
  // in a chunk keeps the last copy.
  const unique = [
    ...new Map(emails.map((email) => [`${email.account_id}:${email.message_id}`, email])).values(),
  ];
  const { results, refused } = await storeIsolated(db, unique, upsertEmails);
  return {
    inserted: results.reduce((sum, count) => sum + count, 0),
    stored: unique.length - refused.length,
    refused: refused.map(({ item, reason }) => ({ gmailId: item.message_id, reason })),
  };
}

/** Newest first, strictly older than `after` when given. Served by emails_user_date_idx without a sort. */
export async function listEmailsPage(
  db: Kysely<Database>,
  userId: string,
  limit: number,
  after?: EmailPosition,
) {
  let query = db
    .selectFrom('emails')
    .select([
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
    ])
    .where('user_id', '=', userId);
  if (after) {
    query = query.where((eb) =>
      eb(
        eb.refTuple('internal_date', 'account_id', 'message_id'),
        '<',
        eb.tuple(after.internalDate, after.accountId, after.messageId),
      ),
    );
  }
  return query
    .orderBy('internal_date', 'desc')
    .orderBy('account_id', 'desc')
    .orderBy('message_id', 'desc')
    .limit(limit)
    .execute();
}

export async function newestEmailPosition(
  db: Kysely<Database>,
  userId: string,
): Promise<EmailPosition | undefined> {
  const row = await db
    .selectFrom('emails')
    .select(['internal_date', 'account_id', 'message_id'])
    .where('user_id', '=', userId)
    .orderBy('internal_date', 'desc')
    .orderBy('account_id', 'desc')
    .orderBy('message_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { internalDate: row.internal_date, accountId: row.account_id, messageId: row.message_id };
}

export async function countEmails(db: Kysely<Database>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('emails')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
