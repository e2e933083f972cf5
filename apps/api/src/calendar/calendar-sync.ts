import type { CalendarSyncTask } from '@firstlight/contracts';
import type { Database, SeriesExceptions } from '@firstlight/db';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { Kysely } from 'kysely';
import type { GoogleSettings } from '../google/google-settings.ts';
import type { OAuth2Client } from '../google/oauth-client.ts';
import { type AccountClients, ReauthRequired } from '../ingestion/account-clients.ts';
import { backoffMs, classifyGoogleError } from '../ingestion/google-call.ts';
import type { EventBus } from '../realtime/event-bus.ts';
import type { TaskResult } from '../tasks/task-queue.ts';
import {
  deleteEvents,
  deleteEventsNotIn,
  findSeriesByGoogleId,
  setExceptions,
  upsertEventRows,
} from './calendar-repository.ts';
import { type EventRow, foldException, type Mapped, mapEvents } from './event-mapper.ts';

export interface CalendarSyncDeps {
  db: Kysely<Database>;
  bus: EventBus;
  clients: AccountClients;
  google: GoogleSettings;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export function calendarClient(oauth: OAuth2Client, settings: GoogleSettings): calendar_v3.Calendar {
  return calendar({
    version: 'v3',
    auth: oauth,
    rootUrl: settings.calendarRootUrl,
    timeout: settings.requestTimeoutMs,
  });
}

const EMPTY: SeriesExceptions = { cancelled: [], overrides: {} };

/**
 * Calendar sync (ARCHITECTURE §4): per calendar, a full `events.list(singleEvents=false, showDeleted=true)` the
 * first time (and after a 410), then incremental with the saved `nextSyncToken`. Singles and masters become
 * rows; instances fold into their master's exceptions — as a set, so Google echoing back a change we made
 * ourselves changes nothing. The token is saved in the transaction that stores what it covers.
 */
export async function runCalendarSync(
  deps: CalendarSyncDeps,
  task: CalendarSyncTask,
  /** Aborted when the sync must stop (its lease was taken over, the process stops): it stops between calendars. */
  signal?: AbortSignal,
): Promise<TaskResult> {
  const account = await deps.db
    .selectFrom('google_accounts')
    .select(['id', 'user_id', 'status'])
    .where('id', '=', task.accountId)
    .executeTakeFirst();
  if (account?.status !== 'active') return { outcome: 'done' };
  try {
    const { client } = await deps.clients.forAccount(account.id);
    const api = calendarClient(client, deps.google);
    const calendars = await listCalendars(api);
    let events = 0;
    for (const entry of calendars) {
      signal?.throwIfAborted();
      events += await syncCalendar(deps, api, { accountId: account.id, userId: account.user_id }, entry);
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
    if (error instanceof ReauthRequired || classifyGoogleError(error).kind === 'reauth') {
      await deps.db
        .updateTable('google_accounts')
        .set({ status: 'needs_reauth', updated_at: new Date() })
        .where('id', '=', account.id)
        .execute();
      deps.clients.forget(account.id);
      return { outcome: 'done' };
    }
    deps.log.warn({ err: error, accountId: account.id }, 'calendar sync failed; the queue will retry');
    return { outcome: 'retry', reason: error instanceof Error ? error.message : String(error) };
  }
}

async function listCalendars(api: calendar_v3.Calendar) {
  const entries: calendar_v3.Schema$CalendarListEntry[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await withRetries(() => api.calendarList.list({ maxResults: 250, pageToken }));
    entries.push(...(data.items ?? []));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  return entries.filter((entry) => entry.id && entry.accessRole !== 'freeBusyReader');
}

async function syncCalendar(
  deps: CalendarSyncDeps,
  api: calendar_v3.Calendar,
  who: { accountId: string; userId: string },
  entry: calendar_v3.Schema$CalendarListEntry,
): Promise<number> {
  const calendarId = entry.id!;
  const resource = `calendar:${calendarId}`;
  const state = await deps.db
    .selectFrom('sync_state')
    .select('cursor')
    .where('account_id', '=', who.accountId)
    .where('resource', '=', resource)
    .executeTakeFirst();
  const zone = entry.timeZone ?? null;

  if (state?.cursor) {
    try {
      return await incremental(deps, api, who, calendarId, zone, state.cursor);
    } catch (error) {
      // 410 Gone: the token expired — wipe this calendar's state and sync it in full.
      if ((error as { response?: { status?: number } }).response?.status !== 410) throw error;
      deps.log.info({ userId: who.userId, calendarId }, 'sync token expired (410): full resync');
    }
  }
  return full(deps, api, who, calendarId, zone);
}

async function fetchPages(api: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Events$List) {
  const items: unknown[] = [];
  let pageToken: string | undefined;
  let syncToken: string | null = null;
  do {
    const { data } = await withRetries(() => api.events.list({ ...params, maxResults: 2500, pageToken }));
    items.push(...(data.items ?? []));
    pageToken = data.nextPageToken ?? undefined;
    syncToken = data.nextSyncToken ?? null;
  } while (pageToken);
  return { items, syncToken };
}

async function full(
  deps: CalendarSyncDeps,
  api: calendar_v3.Calendar,
  who: { accountId: string; userId: string },
  calendarId: string,
  zone: string | null,
): Promise<number> {
  const { items, syncToken } = await fetchPages(api, { calendarId, singleEvents: false, showDeleted: true });
  const mapped = await mapEvents(items, zone);
  const rows = mapped.flatMap((m) => (m.type === 'row' ? [m.row] : []));
  // A full sync rebuilds every master's exceptions from what Google lists now.
  const exceptions = new Map<string, SeriesExceptions>();
  for (const m of mapped) {
    if (m.type === 'exception')
      exceptions.set(m.masterId, foldException(exceptions.get(m.masterId) ?? EMPTY, m));
  }
  reportInvalid(deps, who, calendarId, mapped);
  await deps.db.transaction().execute(async (trx) => {
    await upsertEventRows(trx, who.userId, calendarId, rows);
    await deleteEventsNotIn(
      trx,
      who.userId,
      calendarId,
      rows.map((row) => row.google_event_id),
    );
    for (const row of rows.filter((r) => r.kind === 'series')) {
      const key = { userId: who.userId, calendarId, googleEventId: row.google_event_id };
      await setExceptions(trx, key, exceptions.get(row.google_event_id) ?? EMPTY);
    }
    await saveCursor(trx, who.accountId, `calendar:${calendarId}`, syncToken);
  });
  return rows.length;
}

async function incremental(
  deps: CalendarSyncDeps,
  api: calendar_v3.Calendar,
  who: { accountId: string; userId: string },
  calendarId: string,
  zone: string | null,
  cursor: string,
): Promise<number> {
  const { items, syncToken } = await fetchPages(api, { calendarId, syncToken: cursor });
  const mapped = await mapEvents(items, zone);
  reportInvalid(deps, who, calendarId, mapped);
  await deps.db.transaction().execute(async (trx) => {
    const rows: EventRow[] = mapped.flatMap((m) => (m.type === 'row' ? [m.row] : []));
    await upsertEventRows(trx, who.userId, calendarId, rows);
    await deleteEvents(
      trx,
      who.userId,
      calendarId,
      mapped.flatMap((m) => (m.type === 'deleted' ? [m.googleEventId] : [])),
    );
    for (const m of mapped) {
      if (m.type !== 'exception') continue;
      const key = { userId: who.userId, calendarId, googleEventId: m.masterId };
      const master = await findSeriesByGoogleId(trx, key);
      if (master?.kind !== 'series') continue; // the master is gone (or never seen): nothing to fold into
      await setExceptions(trx, key, foldException(master.exceptions, m));
    }
    await saveCursor(trx, who.accountId, `calendar:${calendarId}`, syncToken);
  });
  return mapped.filter((m) => m.type !== 'invalid').length;
}

async function saveCursor(db: Kysely<Database>, accountId: string, resource: string, cursor: string | null) {
  await db
    .insertInto('sync_state')
    .values({ account_id: accountId, resource, cursor, last_synced_at: new Date(), last_error: null })
    .onConflict((conflict) =>
      conflict
        .columns(['account_id', 'resource'])
        .doUpdateSet({ cursor, last_synced_at: new Date(), last_error: null, updated_at: new Date() }),
    )
    .execute();
}

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

/** Calendar counts requests (600/min/user): back off on rate limits and 5xx, a few times. */
export async function withRetries<T>(call: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const failure = classifyGoogleError(error);
      const retryable = failure.kind === 'rate_limited' || failure.kind === 'transient';
      if (!retryable || attempt + 1 >= attempts) throw error;
      const wait = Math.max(
        backoffMs(attempt),
        failure.kind === 'rate_limited' ? (failure.retryAfterMs ?? 0) : 0,
      );
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
