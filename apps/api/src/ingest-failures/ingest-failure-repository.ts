import { cleanText } from '@firstlight/contracts';
import type { Database, IngestSource } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';

export interface IngestFailure {
  /** Null when the item had no readable id. */
  itemId: string | null;
  reason: string;
}

export interface FailureOwner {
  accountId: string;
  userId: string;
}

// Within the table's CHECKs; the id and reason are cleaned like any text from Google (a NUL in an id must not
// fail the very statement that records it).
const MAX_ID = 1024;
const MAX_REASON = 500;

/**
 * Records failures of one source for one account in one statement: a new (item, reason) is inserted, a known
 * one counted again. Duplicates within the call are merged first (ON CONFLICT cannot touch a row twice).
 */
export async function recordIngestFailures(
  db: Kysely<Database>,
  owner: FailureOwner,
  source: IngestSource,
  failures: IngestFailure[],
): Promise<void> {
  if (failures.length === 0) return;
  const merged = new Map<string, { item_id: string; reason: string; count: number }>();
  for (const failure of failures) {
    const itemId = cleanText(failure.itemId ?? '', MAX_ID);
    const reason = cleanText(failure.reason, MAX_REASON) || 'unknown';
    const key = JSON.stringify([itemId, reason]);
    const known = merged.get(key);
    if (known) known.count++;
    else merged.set(key, { item_id: itemId, reason, count: 1 });
  }
  await db
    .insertInto('ingest_failures')
    .values(
      [...merged.values()].map((failure) => ({
        account_id: owner.accountId,
        user_id: owner.userId,
        source,
        ...failure,
      })),
    )
    .onConflict((conflict) =>
      conflict.columns(['account_id', 'source', 'item_id', 'reason']).doUpdateSet((eb) => ({
        count: sql<number>`${eb.ref('ingest_failures.count')} + ${eb.ref('excluded.count')}`,
        last_seen_at: sql<Date>`now()`,
      })),
    )
    .execute();
}

/** Distinct failed items and how often they were seen, by source and reason, over every account. */
export async function countIngestFailures(db: Kysely<Database>, limit = 100) {
  const rows = await db
    .selectFrom('ingest_failures')
    .select([
      'source',
      'reason',
      (eb) => eb.fn.countAll<string>().as('items'),
      (eb) => eb.fn.sum<string>('count').as('occurrences'),
    ])
    .groupBy(['source', 'reason'])
    .orderBy('items', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    source: row.source,
    reason: row.reason,
    items: Number(row.items),
    occurrences: Number(row.occurrences),
  }));
}

/** The most recently seen failures, newest first, with the account's email. */
export async function listRecentIngestFailures(db: Kysely<Database>, limit: number) {
  return db
    .selectFrom('ingest_failures as failure')
    .innerJoin('accounts as account', 'account.id', 'failure.account_id')
    .select([
      'failure.source',
      'account.email as account_email',
      'failure.item_id',
      'failure.reason',
      'failure.count',
      'failure.first_seen_at',
      'failure.last_seen_at',
    ])
    .orderBy('failure.last_seen_at', 'desc')
    .orderBy('failure.item_id')
    .limit(limit)
    .execute();
}

/** A batch's failures, by job and seq (the ops page lists them). */
export async function recordFailures(
  db: Kysely<Database>,
  jobId: string,
  seq: number,
  failures: { messageId: string; reason: string }[],
): Promise<void> {
  if (failures.length === 0) return;
  // Ids and reasons may come from a message that did not parse: cleaned, and one row per id (ON CONFLICT
  // cannot touch the same row twice in one statement).
  const byId = new Map<string, string>();
  for (const failure of failures)
    byId.set(cleanText(failure.messageId, 1024), cleanText(failure.reason, 500));
  await db
    .insertInto('ingestion_failures')
    .values([...byId].map(([messageId, reason]) => ({ job_id: jobId, seq, message_id: messageId, reason })))
    .onConflict((conflict) =>
      conflict.columns(['job_id', 'message_id']).doUpdateSet({ reason: sql`excluded.reason` }),
    )
    .execute();
}
