import { CalendarId, type CalendarSyncTask } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import { calendar, type calendar_v3 } from '@googleapis/calendar';
import type { Kysely } from 'kysely';
import { type AccountClients, ReauthRequired } from '../google/account-clients.ts';
import { backoffMs, classifyGoogleError } from '../google/google-call.ts';
import type { GoogleSettings } from '../google/google-settings.ts';
import type { OAuth2Client } from '../google/oauth-client.ts';
import { type FailureOwner, recordIngestFailures } from '../ingestion/index.ts';
import type { EventBus } from '../realtime/event-bus.ts';
import type { TaskResult } from '../tasks/task-queue.ts';
import { storeFullSync, storeIncremental } from './calendar-store.ts';
import { type Mapped, mapEvents } from './event-mapper.ts';

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
    .selectFrom('accounts')
    .select(['id', 'user_id', 'status'])
    .where('id', '=', task.accountId)
    .executeTakeFirst();
  if (account?.status !== 'active') return { outcome: 'done' };
  try {
    const { client } = await deps.clients.forAccount(account.id);
    const api = calendarClient(client, deps.google);
    const who = { accountId: account.id, userId: account.user_id };
    const calendars = await listCalendars(deps, api, who);
    let events = 0;
    for (const entry of calendars) {
      signal?.throwIfAborted();
      events += await syncCalendar(deps, api, who, entry);
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
        .updateTable('accounts')
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

/** The calendars to sync; one whose id could not be stored (a key of every row) is skipped and recorded. */
async function listCalendars(deps: CalendarSyncDeps, api: calendar_v3.Calendar, who: FailureOwner) {
  const entries: calendar_v3.Schema$CalendarListEntry[] = [];
  let pageToken: string | undefined;
  do {
    const { data } = await withRetries(() => api.calendarList.list({ maxResults: 250, pageToken }));
    entries.push(...(Array.isArray(data.items) ? data.items : []));
    pageToken = data.nextPageToken ?? undefined;
  } while (pageToken);
  const readable = entries.filter((entry) => entry.id && entry.accessRole !== 'freeBusyReader');
  const good = readable.filter((entry) => CalendarId.safeParse(entry.id).success);
  const bad = readable.filter((entry) => !good.includes(entry));
  await recordIngestFailures(
    deps.db,
    who,
    'calendar',
    bad.map((entry) => ({ itemId: String(entry.id), reason: 'calendar id: not a calendar id' })),
  );
  return good;
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
    items.push(...(Array.isArray(data.items) ? data.items : []));
    pageToken = data.nextPageToken ?? undefined;
    syncToken = data.nextSyncToken ?? null;
  } while (pageToken);
  return { items, syncToken };
}

async function full(
  deps: CalendarSyncDeps,
  api: calendar_v3.Calendar,
  who: FailureOwner,
  calendarId: string,
  zone: string | null,
): Promise<number> {
  const { items, syncToken } = await fetchPages(api, { calendarId, singleEvents: false, showDeleted: true });
  const mapped = await mapEvents(items, zone);
  reportInvalid(deps, who, calendarId, mapped);
  return storeFullSync(deps.db, { owner: who, calendarId, mapped, syncToken });
}

async function incremental(
  deps: CalendarSyncDeps,
  api: calendar_v3.Calendar,
  who: FailureOwner,
  calendarId: string,
  zone: string | null,
  cursor: string,
): Promise<number> {
  const { items, syncToken } = await fetchPages(api, { calendarId, syncToken: cursor });
  const mapped = await mapEvents(items, zone);
  reportInvalid(deps, who, calendarId, mapped);
  return storeIncremental(deps.db, { owner: who, calendarId, mapped, syncToken });
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
