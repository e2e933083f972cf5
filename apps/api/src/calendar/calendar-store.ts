import { CalendarEventId } from '@firstlight/contracts';
import type { Database, SeriesExceptions } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { type FailureOwner, type IngestFailure, recordIngestFailures } from '../ingestion/index.ts';
import { optimistically, storeIsolated } from '../lib/row-isolation.ts';
import {
  deleteEvents,
  deleteEventsNotIn,
  findSeriesByGoogleId,
  saveCalendarCursor,
  setExceptions,
  upsertEventRows,
} from './calendar-repository.ts';
import { type EventRow, foldException, type Mapped } from './event-mapper.ts';

/**
 * The database half of a calendar's sync: what one `events.list` pass mapped, stored in one transaction with
 * the sync token that covers it. One bad event never fails its calendar: events that could not be read are
 * recorded in `ingest_failures` (not only logged), and a row or an exceptions update the database refuses is
 * undone alone (a savepoint) and recorded, while the rest of the calendar is stored and the token saved. The
 * savepoints are taken only on a second run of the transaction, after the database refused something in the
 * first (`optimistically`): the mapper cleans what it can foresee, so that is rare.
 */

const EMPTY: SeriesExceptions = { cancelled: [], overrides: {} };

export interface CalendarPass {
  owner: FailureOwner;
  calendarId: string;
  mapped: Mapped[];
  syncToken: string | null;
}

/** A full sync replaces the calendar's rows and rebuilds every master's exceptions. Returns the rows stored. */
export async function storeFullSync(db: Kysely<Database>, pass: CalendarPass): Promise<number> {
  const { owner, calendarId, mapped } = pass;
  const rows = rowsOf(mapped);
  const exceptions = new Map<string, SeriesExceptions>();
  for (const m of mapped) {
    if (m.type === 'exception')
      exceptions.set(m.masterId, foldException(exceptions.get(m.masterId) ?? EMPTY, m));
  }
  return optimistically(db, async (trx, careful) => {
    const failures = invalidOf(mapped);
    const stored = await storeRows(trx, pass, rows, failures, careful);
    // Every event Google listed and we can name is kept: an update we could not read leaves the last good copy.
    const listed = [
      ...rows.map((row) => row.google_event_id),
      ...failures.flatMap((failure) =>
        failure.itemId && CalendarEventId.safeParse(failure.itemId).success ? [failure.itemId] : [],
      ),
    ];
    await deleteEventsNotIn(trx, owner.accountId, calendarId, listed);
    const series = stored.filter((row) => row.kind === 'series');
    const folded = await storeIsolated(
      trx,
      series,
      async (each, masters) => {
        for (const row of masters) {
          const key = { accountId: owner.accountId, calendarId, googleEventId: row.google_event_id };
          await setExceptions(each, key, exceptions.get(row.google_event_id) ?? EMPTY);
        }
      },
      { optimistic: !careful },
    );
    for (const { item, reason } of folded.refused) {
      failures.push({ itemId: item.google_event_id, reason: `exceptions: ${reason}` });
    }
    await recordIngestFailures(trx, owner, 'calendar', failures);
    await saveCalendarCursor(trx, owner.accountId, calendarId, pass.syncToken);
    return stored.length;
  });
}

/** An incremental pass: changed rows upserted, deleted ones removed, instances folded into their masters. */
export async function storeIncremental(db: Kysely<Database>, pass: CalendarPass): Promise<number> {
  const { owner, calendarId, mapped } = pass;
  return optimistically(db, async (trx, careful) => {
    const failures = invalidOf(mapped);
    const rows = rowsOf(mapped);
    const stored = await storeRows(trx, pass, rows, failures, careful);
    await deleteEvents(
      trx,
      owner.accountId,
      calendarId,
      mapped.flatMap((m) => (m.type === 'deleted' ? [m.googleEventId] : [])),
    );
    const changes = mapped.flatMap((m) => (m.type === 'exception' ? [m] : []));
    const folded = await storeIsolated(
      trx,
      changes,
      async (each, subset) => {
        for (const change of subset) {
          const key = { accountId: owner.accountId, calendarId, googleEventId: change.masterId };
          const master = await findSeriesByGoogleId(each, key);
          if (master?.kind !== 'series') continue; // the master is gone (or never seen): nothing to fold into
          await setExceptions(each, key, foldException(master.exceptions, change));
        }
      },
      { optimistic: !careful },
    );
    for (const { item, reason } of folded.refused) {
      failures.push({ itemId: item.instanceId, reason: `exceptions: ${reason}` });
    }
    await recordIngestFailures(trx, owner, 'calendar', failures);
    await saveCalendarCursor(trx, owner.accountId, calendarId, pass.syncToken);
    return stored.length + changes.length - folded.refused.length + deletedCount(mapped);
  });
}

/** The rows in one statement; only when the database refuses one, row by row (each its own savepoint). */
async function storeRows(
  trx: Kysely<Database>,
  pass: CalendarPass,
  rows: EventRow[],
  failures: IngestFailure[],
  careful: boolean,
): Promise<EventRow[]> {
  const { refused } = await storeIsolated(
    trx,
    rows,
    (each, subset) => upsertEventRows(each, pass.owner, pass.calendarId, subset),
    { optimistic: !careful },
  );
  if (refused.length === 0) return rows;
  for (const { item, reason } of refused) failures.push({ itemId: item.google_event_id, reason });
  const left = new Set(refused.map(({ item }) => item));
  return rows.filter((row) => !left.has(row));
}

/** One row per event id, the last listed (one INSERT … ON CONFLICT cannot touch a row twice: 21000). */
function rowsOf(mapped: Mapped[]): EventRow[] {
  const rows = new Map<string, EventRow>();
  for (const m of mapped) if (m.type === 'row') rows.set(m.row.google_event_id, m.row);
  return [...rows.values()];
}

function invalidOf(mapped: Mapped[]): IngestFailure[] {
  return mapped.flatMap((m) => (m.type === 'invalid' ? [{ itemId: m.googleEventId, reason: m.reason }] : []));
}

const deletedCount = (mapped: Mapped[]) => mapped.filter((m) => m.type === 'deleted').length;
