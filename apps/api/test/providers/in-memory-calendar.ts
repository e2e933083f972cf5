import type {
  CalendarProvider,
  CalendarSource,
  EventPass,
  EventRow,
  Mapped,
  NewSeries,
  OccurrenceChange,
  SourceCalendar,
  SourceFailure,
} from '../../src/calendar/index.ts';

/**
 * A test-only calendar provider: calendars held in memory, behind the same port as Google Calendar
 * (calendar/calendar-source.ts). What a newcomer adds for a second provider is this one file plus one
 * registry entry; the calendar core (sync, store, write-back) runs unchanged on it.
 */

class GrantLost extends Error {}

interface MemoryCalendar {
  zone: string | null;
  /** Every change in order; its index + 1 is the sync token that covers it. */
  log: Mapped[];
}

export class InMemoryCalendars implements CalendarProvider {
  readonly calendars = new Map<string, MemoryCalendar>();
  /** The write-back calls the core made, in order. */
  readonly calls: string[] = [];
  readonly released: string[] = [];
  /** Accounts whose grant is gone. */
  readonly revoked = new Set<string>();
  /** Tokens below this answer "expired". */
  expiredBefore = 0;

  /** A change made at the provider (another device): a row, a deletion or an occurrence's exception. */
  change(calendarId: string, mapped: Mapped, zone: string | null = 'UTC'): void {
    const calendar = this.calendars.get(calendarId) ?? { zone, log: [] };
    calendar.log.push(mapped);
    this.calendars.set(calendarId, calendar);
  }

  async forAccount(accountId: string): Promise<CalendarSource> {
    if (this.revoked.has(accountId)) throw new GrantLost('revoked');
    return new InMemorySource(this);
  }

  classify(error: unknown): SourceFailure {
    const message = error instanceof Error ? error.message : String(error);
    return error instanceof GrantLost ? { kind: 'reauth', message } : { kind: 'fatal', message };
  }

  release(accountId: string): void {
    this.released.push(accountId);
  }
}

class InMemorySource implements CalendarSource {
  constructor(private readonly memory: InMemoryCalendars) {}

  async listCalendars(): Promise<SourceCalendar[]> {
    return [...this.memory.calendars].map(([id, calendar]) => ({ id, timeZone: calendar.zone }));
  }

  async listAll(calendarId: string): Promise<EventPass> {
    const log = this.#log(calendarId);
    // The current state: the last word on each event (a deletion drops it), then every exception.
    const rows = new Map<string, Mapped>();
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
    change: OccurrenceChange,
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

  async insertSeries(calendarId: string, series: NewSeries): Promise<void> {
    this.memory.calls.push(`insert ${calendarId} ${series.id}`);
  }

  #log(calendarId: string): Mapped[] {
    return this.memory.calendars.get(calendarId)?.log ?? [];
  }
}

/** A row as a provider's adapter maps it (the store's shape). */
export function eventRow(
  id: string,
  fields: Partial<EventRow> & Pick<EventRow, 'start_at' | 'end_at'>,
): Mapped {
  return {
    type: 'row',
    row: {
      google_event_id: id,
      kind: 'single',
      status: 'confirmed',
      summary: id,
      location: null,
      all_day: false,
      tzid: null,
      dtstart_local: null,
      duration_ms: null,
      recurrence: null,
      series_start: null,
      series_end: null,
      etag: null,
      google_updated: null,
      parse_error: null,
      ...fields,
    },
  };
}
