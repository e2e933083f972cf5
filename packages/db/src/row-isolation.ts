import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/**
 * SQLSTATE classes that mean "this row's data is wrong", not "the database is unwell": 22 data exception
 * (an invalid byte sequence, a number out of range, an unreadable date), 23 integrity constraint violation (a
 * CHECK), 54 program limit exceeded (an index row too large). Only these send a chunk to the row-by-row path;
 * anything else (connection lost, serialisation failure) is the chunk's error and the caller's retry.
 */
const DATA_ERROR_CLASSES = new Set(['22', '23', '54']);

export function isDataError(error: unknown): error is { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && DATA_ERROR_CLASSES.has(code.slice(0, 2));
}

/** A reason fit for the failures table: the SQLSTATE only, as PostgreSQL's message can quote the value. */
export const refusedReason = (error: { code: string }) => `the database refused it (SQLSTATE ${error.code})`;

/**
 * Runs `work`, undoing only it when it fails with a data error. In a transaction that takes a savepoint (a
 * failed statement would otherwise abort the whole transaction); outside one, a failed statement changes
 * nothing by itself. Other errors are rethrown.
 */
async function attempt<R>(
  db: Kysely<Database>,
  work: (db: Kysely<Database>) => Promise<R>,
): Promise<{ ok: true; value: R } | { ok: false; error: { code: string } }> {
  const savepoint = db.isTransaction;
  if (savepoint) await sql`savepoint row_isolation`.execute(db);
  try {
    const value = await work(db);
    if (savepoint) await sql`release savepoint row_isolation`.execute(db);
    return { ok: true, value };
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (savepoint) {
      await sql`rollback to savepoint row_isolation`.execute(db);
      await sql`release savepoint row_isolation`.execute(db);
    }
    return { ok: false, error };
  }
}

/**
 * Stores `items` with one call of `store` (the fast path: one multi-row statement), and only when the database
 * refuses that for a row's data, again one item at a time, so that only the refused items are left out.
 * Returns what each successful call returned and the refused items with their reason.
 *
 * `optimistic` (in a transaction only): no savepoint around the fast path, so a refusal aborts the transaction
 * and the data error reaches the caller, which runs the transaction again without it (see `optimistically`).
 * Saves two round trips per call in the normal case.
 */
export async function storeIsolated<T, R>(
  db: Kysely<Database>,
  items: T[],
  store: (db: Kysely<Database>, items: T[]) => Promise<R>,
  options: { optimistic?: boolean } = {},
): Promise<{ results: R[]; refused: { item: T; reason: string }[] }> {
  if (items.length === 0) return { results: [], refused: [] };
  if (options.optimistic) return { results: [await store(db, items)], refused: [] };
  const all = await attempt(db, (each) => store(each, items));
  if (all.ok) return { results: [all.value], refused: [] };
  if (items.length === 1)
    return { results: [], refused: [{ item: items[0]!, reason: refusedReason(all.error) }] };
  const results: R[] = [];
  const refused: { item: T; reason: string }[] = [];
  for (const item of items) {
    const one = await attempt(db, (each) => store(each, [item]));
    if (one.ok) results.push(one.value);
    else refused.push({ item, reason: refusedReason(one.error) });
  }
  return { results, refused };
}

/**
 * Runs a transaction first with `careful` false (no savepoints: the normal case costs nothing extra) and, only
 * if the database refused some row's data, once more with `careful` true, where each `storeIsolated` isolates
 * the refused rows. The first run's work was rolled back with its transaction, so nothing is done twice.
 */
export async function optimistically<R>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>, careful: boolean) => Promise<R>,
): Promise<R> {
  try {
    return await db.transaction().execute((trx) => work(trx, false));
  } catch (error) {
    if (!isDataError(error)) throw error;
    return db.transaction().execute((trx) => work(trx, true));
  }
}
