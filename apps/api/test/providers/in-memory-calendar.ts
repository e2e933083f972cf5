import type * as Port from '../../src/calendar/index.ts';

/**
 * A test-only calendar provider: calendars held in memory, behind the same port as Google Calendar
 * (calendar/calendar-source.ts). What a newcomer adds for a second provider is this one file plus one
 * registry entry; the calendar core (sync, store, write-back) runs unchanged on it.
 */

class GrantLost extends Error {}

interface MemoryCalendar {
  zone: string | null;
  /** Every change in order; its index + 1 is the sync token that covers it. */
  log: Port.Mapped[];
}

export class InMemoryCalendars implements Port.CalendarProvider {
  readonly calendars = new Map<string, MemoryCalendar>();
  /** The write-back calls the core made, in order. */
  readonly calls: string[] = [];
  readonly released: string[] = [];
  /** Accounts whose grant is gone. */
  readonly revoked = new Set<string>();
  /** Tokens below this answer "expired". */
  expiredBefore = 0;

  /** A change made at the provider (another device): a row, a deletion or an occurrence's exception. */
  change(calendarId: string, mapped: Port.Mapped, zone: string | null = 'UTC'): void {
    const calendar = this.calendars.get(calendarId) ?? { zone, log: [] };
    calendar.log.push(mapped);
    this.calendars.set(calendarId, calendar);
  }

  async forAccount(accountId: string): Promise<Port.CalendarSource> {
    if (this.revoked.has(accountId)) throw new GrantLost('revoked');
    return new InMemorySource(this);
  }

  classify(error: unknown): Port.SourceFailure {
    const message = error instanceof Error ? error.message : String(error);
    return error instanceof GrantLost ? { kind: 'reauth', message } : { kind: 'fatal', message };
  }

  release(accountId: string): void {
    this.released.push(accountId);
  }
}

class InMemorySource implements Port.CalendarSource {
  constructor(private readonly memory: InMemoryCalendars) {}

  async listCalendars(): Promise<Port.SourceCalendar[]> {
    return [...this.memory.calendars].map(([id, calendar]) => ({ id, timeZone: calendar.zone }));
  }

  async listAll(calendarId: string): Promise<Port.EventPass> {
    const log = this.#log(calendarId);
    // The current state: the last word on each event (a deletion drops it), then every exception.
    const rows = new Map<string, Port.Mapped>();
    for (const m of log) {
      if (m.type === 'row') rows.set(m.row.google_event_id, m);
      if (m.type === 'deleted') rows.delete(m.googleEventId);
    }
    return {
      mapped: [...rows.values(), ...log.filter((m) => m.type === 'exception')],
      syncToken: `${log.length}`,
    };
  }

  async listChanges(calendarId: string, _zone: string | null, syncToken: string) {
    const since = Number(syncToken);
    if (since < this.memory.expiredBefore) return { expired: true as const };
    const log = this.#log(calendarId);
    return { mapped: log.slice(since), syncToken: `${log.length}` };
  }

  async cancelOccurrence(calendarId: string, eventId: string, originalStart: string): Promise<void> {
    this.memory.calls.push(`cancel ${calendarId} ${eventId} ${originalStart}`);
    const change = { instanceId: `${eventId}_${originalStart}`, masterId: eventId, key: originalStart };
    this.memory.change(calendarId, { type: 'exception', ...change, cancelled: true, override: {} });
  }

  async patchOccurrence(
    calendarId: string,
    eventId: string,
    originalStart: string,
    change: Port.OccurrenceChange,
  ) {
    this.memory.calls.push(`patch ${calendarId} ${eventId} ${originalStart} ${JSON.stringify(change)}`);
  }

  async deleteSeries(calendarId: string, eventId: string): Promise<void> {
    this.memory.calls.push(`delete ${calendarId} ${eventId}`);
    this.memory.change(calendarId, { type: 'deleted', googleEventId: eventId });
  }

  async setRecurrence(calendarId: string, eventId: string, recurrence: string[]): Promise<void> {
    this.memory.calls.push(`recurrence ${calendarId} ${eventId} ${recurrence.join(' ')}`);
  }

  async insertSeries(calendarId: string, series: Port.NewSeries): Promise<void> {
    this.memory.calls.push(`insert ${calendarId} ${series.id}`);
  }

  #log(calendarId: string): Port.Mapped[] {
    return this.memory.calendars.get(calendarId)?.log ?? [];
  }
}

/** A row as a provider's adapter maps it (the store's shape): a single unless `fields` say otherwise. */
export function eventRow(
  id: string,
  fields: Partial<Port.EventRow> & Pick<Port.EventRow, 'start_at' | 'end_at'>,
): Port.Mapped {
  const unset = Object.fromEntries(OPTIONAL.map((column) => [column, null]));
  const base = { google_event_id: id, kind: 'single', status: 'confirmed', summary: id, all_day: false };
  return { type: 'row', row: { ...unset, ...base, ...fields } as Port.EventRow };
}

const OPTIONAL = [
  'location',
  'tzid',
  'dtstart_local',
  'duration_ms',
  'recurrence',
  'series_start',
  'series_end',
  'etag',
  'google_updated',
  'parse_error',
] as const;
