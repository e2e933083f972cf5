import { googleInstanceId } from '@firstlight/recurrence';
import type { calendar_v3 } from '@googleapis/calendar';
import type {
  CalendarSource,
  EventPass,
  NewSeries,
  OccurrenceChange,
  SourceCalendar,
} from '../../calendar/index.ts';
import { backoffMs, classifyGoogleError, type QuotaCharge, UNCHARGED } from '../../google/index.ts';
import { mapEvents } from './event-mapper.ts';

const statusOf = (error: unknown) => (error as { response?: { status?: number } }).response?.status;

/**
 * One account's Google Calendar behind the port (ARCHITECTURE §4): a full `events.list(singleEvents=false,
 * showDeleted=true)`, incremental passes from a `nextSyncToken` (410 Gone: the token expired), and the
 * write-back calls — an occurrence is the instance `{eventId}_{originalStart}`.
 *
 * Every request asks the project's quota first (Calendar counts requests: 1 unit each): reading is the `sync`
 * class; a write-back is the user's own edit, `interactive`.
 */
export class GoogleCalendarSource implements CalendarSource {
  constructor(
    private readonly api: calendar_v3.Calendar,
    private readonly quota: Pick<QuotaCharge, 'call'> = UNCHARGED,
  ) {}

  #read<T>(run: () => Promise<T>): Promise<T> {
    return withRetries(() => this.quota.call('sync', 1, run));
  }

  #write<T>(run: () => Promise<T>): Promise<T> {
    return this.quota.call('interactive', 1, run);
  }

  async listCalendars(): Promise<SourceCalendar[]> {
    const entries: calendar_v3.Schema$CalendarListEntry[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await this.#read(() => this.api.calendarList.list({ maxResults: 250, pageToken }));
      entries.push(...(Array.isArray(data.items) ? data.items : []));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    return entries
      .filter((entry) => entry.id && entry.accessRole !== 'freeBusyReader')
      .map((entry) => ({ id: String(entry.id), timeZone: entry.timeZone ?? null }));
  }

  listAll(calendarId: string, zone: string | null): Promise<EventPass> {
    return this.#pass({ calendarId, singleEvents: false, showDeleted: true }, zone);
  }

  async listChanges(calendarId: string, zone: string | null, syncToken: string) {
    try {
      return await this.#pass({ calendarId, syncToken }, zone);
    } catch (error) {
      if (statusOf(error) === 410) return { expired: true as const };
      throw error;
    }
  }

  async #pass(params: calendar_v3.Params$Resource$Events$List, zone: string | null): Promise<EventPass> {
    const items: unknown[] = [];
    let pageToken: string | undefined;
    let syncToken: string | null = null;
    do {
      const { data } = await this.#read(() =>
        this.api.events.list({ ...params, maxResults: 2500, pageToken }),
      );
      items.push(...(Array.isArray(data.items) ? data.items : []));
      pageToken = data.nextPageToken ?? undefined;
      syncToken = data.nextSyncToken ?? null;
    } while (pageToken);
    return { mapped: await mapEvents(items, zone), syncToken };
  }

  async cancelOccurrence(calendarId: string, eventId: string, originalStart: string): Promise<void> {
    // Google: cancel one occurrence by updating the instance with status "cancelled".
    const instance = instanceOf(eventId, originalStart);
    await this.#write(() =>
      this.api.events.patch({ calendarId, eventId: instance, requestBody: { status: 'cancelled' } }),
    );
  }

  async patchOccurrence(
    calendarId: string,
    eventId: string,
    originalStart: string,
    change: OccurrenceChange,
  ) {
    const time = (value: string) =>
      change.allDay
        ? { date: value.slice(0, 10) }
        : { dateTime: value, ...(change.tzid ? { timeZone: change.tzid } : {}) };
    const instance = instanceOf(eventId, originalStart);
    await this.#write(() =>
      this.api.events.patch({
        calendarId,
        eventId: instance,
        requestBody: {
          ...(change.start ? { start: time(change.start) } : {}),
          ...(change.end ? { end: time(change.end) } : {}),
          ...(change.summary !== undefined ? { summary: change.summary } : {}),
        },
      }),
    );
  }

  async deleteSeries(calendarId: string, eventId: string): Promise<void> {
    await this.#write(() => this.api.events.delete({ calendarId, eventId }));
  }

  async setRecurrence(calendarId: string, eventId: string, recurrence: string[]): Promise<void> {
    await this.#write(() => this.api.events.patch({ calendarId, eventId, requestBody: { recurrence } }));
  }

  async insertSeries(calendarId: string, next: NewSeries): Promise<void> {
    const time = (value: string) =>
      next.allDay ? { date: value } : { dateTime: value, ...(next.tzid ? { timeZone: next.tzid } : {}) };
    try {
      await this.#write(() =>
        this.api.events.insert({
          calendarId,
          requestBody: {
            id: next.id,
            ...(next.summary ? { summary: next.summary } : {}),
            ...(next.location ? { location: next.location } : {}),
            start: time(next.start),
            end: time(next.end),
            recurrence: next.recurrence,
          },
        }),
      );
    } catch (error) {
      // 409: inserted by an earlier attempt whose answer was lost — the write-back is already applied.
      if (statusOf(error) !== 409) throw error;
    }
  }
}

function instanceOf(eventId: string, originalStart: string): string {
  const id = googleInstanceId(eventId, originalStart);
  if (!id) throw new Error(`no occurrence ${originalStart} of ${eventId} to write back`);
  return id;
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
