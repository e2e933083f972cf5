import { CalendarId, type CalendarSyncTask } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { markNeedsReauth } from '../accounts/index.ts';
import { type FailureOwner, recordIngestFailures } from '../ingest-failures/index.ts';
import type { EventBus } from '../realtime/index.ts';
import type { TaskResult } from '../tasks/index.ts';
import { findCalendarAccount } from './calendar-account-repository.ts';
import { findCalendarCursor } from './calendar-repository.ts';
import {
  type CalendarSource,
  type CalendarSources,
  type Mapped,
  providerOf,
  type SourceCalendar,
} from './calendar-source.ts';
import { storeFullSync, storeIncremental } from './calendar-store.ts';

export interface CalendarSyncDeps {
  db: Kysely<Database>;
  bus: EventBus;
  sources: CalendarSources;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/**
 * Calendar sync (ARCHITECTURE §4): per calendar, a full pass the first time (and after the provider forgot the
 * token), then incremental from the saved token. Singles and masters become rows; instances fold into their
 * master's exceptions — as a set, so the provider echoing back a change we made ourselves changes nothing. The
 * token is saved in the transaction that stores what it covers.
 */
export async function runCalendarSync(
  deps: CalendarSyncDeps,
  task: CalendarSyncTask,
  /** Aborted when the sync must stop (its lease was taken over, the process stops): it stops between calendars. */
  signal?: AbortSignal,
): Promise<TaskResult> {
  const account = await findCalendarAccount(deps.db, task.accountId);
  if (account?.status !== 'active') return { outcome: 'done' };
  const provider = providerOf(deps.sources, account.provider);
  try {
    const source = await provider.forAccount(account.id);
    const who = { accountId: account.id, userId: account.user_id };
    const calendars = await listCalendars(deps, source, who);
    let events = 0;
    for (const entry of calendars) {
      signal?.throwIfAborted();
      events += await syncCalendar(deps, source, who, entry);
    }
    await deps.bus.publish(deps.db, account.user_id, {
      type: 'calendar_ready',
      calendars: calendars.length,
      changed: events,
    });
    return { outcome: 'done' };
  } catch (error) {
    // Each calendar's cursor is saved with its rows: the next sync resumes with the calendars not done.
    if (signal?.aborted) return { outcome: 'retry', reason: 'the calendar sync was stopped' };
    if (provider.classify(error).kind === 'reauth') {
      await markNeedsReauth(deps.db, account.id);
      provider.release(account.id);
      return { outcome: 'done' };
    }
    deps.log.warn({ err: error, accountId: account.id }, 'calendar sync failed; the queue will retry');
    return { outcome: 'retry', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The calendars to sync; one whose id could not be stored (a key of every row) is skipped and recorded. */
async function listCalendars(deps: CalendarSyncDeps, source: CalendarSource, who: FailureOwner) {
  const readable = await source.listCalendars();
  const good = readable.filter((entry) => CalendarId.safeParse(entry.id).success);
  const bad = readable.filter((entry) => !good.includes(entry));
  await recordIngestFailures(
    deps.db,
    who,
    'calendar',
    bad.map((entry) => ({ itemId: entry.id, reason: 'calendar id: not a calendar id' })),
  );
  return good;
}

async function syncCalendar(
  deps: CalendarSyncDeps,
  source: CalendarSource,
  who: FailureOwner,
  entry: SourceCalendar,
): Promise<number> {
  const calendarId = entry.id;
  const cursor = await findCalendarCursor(deps.db, who.accountId, calendarId);
  if (cursor) {
    const changes = await source.listChanges(calendarId, entry.timeZone, cursor);
    if (!('expired' in changes)) {
      reportInvalid(deps, who, calendarId, changes.mapped);
      return storeIncremental(deps.db, { owner: who, calendarId, ...changes });
    }
    // The token expired (Google: 410 Gone): this calendar is synced in full.
    deps.log.info({ userId: who.userId, calendarId }, 'sync token expired (410): full resync');
  }
  const pass = await source.listAll(calendarId, entry.timeZone);
  reportInvalid(deps, who, calendarId, pass.mapped);
  return storeFullSync(deps.db, { owner: who, calendarId, ...pass });
}

/** Ids and reasons only (never the event's content); each is also recorded in `ingest_failures`. */
function reportInvalid(
  deps: CalendarSyncDeps,
  who: { userId: string },
  calendarId: string,
  mapped: Mapped[],
) {
  for (const m of mapped) {
    if (m.type === 'invalid') {
      deps.log.warn(
        { userId: who.userId, calendarId, eventId: m.googleEventId, reason: m.reason },
        'calendar event skipped',
      );
    }
  }
}
