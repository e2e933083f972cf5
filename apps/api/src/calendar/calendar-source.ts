/**
 * The calendar source port: what the calendar core (sync, store, write-back, runtime) needs of a provider. The
 * core knows only this; Google Calendar is the first adapter (providers/google-calendar/). Adapters are looked
 * up by `accounts.provider` in a registry the runtime is given (CalendarSources), so a second provider is one
 * folder plus one registry entry.
 */

/** One event as the core stores it: the adapter maps its provider's events to these rows. */
export interface EventRow {
  google_event_id: string;
  kind: 'single' | 'series';
  status: 'confirmed' | 'tentative' | 'cancelled';
  summary: string | null;
  location: string | null;
  all_day: boolean;
  start_at: Date;
  end_at: Date;
  tzid: string | null;
  dtstart_local: string | null;
  duration_ms: number | null;
  recurrence: string[] | null;
  series_start: Date | null;
  series_end: Date | null;
  etag: string | null;
  google_updated: Date | null;
  parse_error: string | null;
}

/** What one listed item means to the store. */
export type Mapped =
  | { type: 'row'; row: EventRow }
  /** The master or single is gone. */
  | { type: 'deleted'; googleEventId: string }
  /** One occurrence of `masterId` changed (moved, retitled) or was cancelled. */
  | {
      type: 'exception';
      /** The instance's own id (`<master>_<original start>`), for the failures table. */
      instanceId: string;
      masterId: string;
      key: string;
      cancelled: boolean;
      override: Record<string, unknown>;
    }
  | { type: 'invalid'; googleEventId: string | null; reason: string };

/** A calendar the account can read events of (free/busy-only calendars are not listed). */
export interface SourceCalendar {
  /** As the provider names it: the core checks it is one it can store. */
  id: string;
  timeZone: string | null;
}

/** One pass over a calendar's events, every page; `syncToken` resumes from here next time. */
export interface EventPass {
  mapped: Mapped[];
  syncToken: string | null;
}

/** The new series of a "this and following" split, under an id we chose (so inserting it is idempotent). */
export interface NewSeries {
  id: string;
  summary: string | null;
  location: string | null;
  recurrence: string[];
  allDay: boolean;
  tzid: string | null;
  /** A date for all-day series, else an RFC 3339 instant. */
  start: string;
  end: string;
}

/** An occurrence's changed fields (only what the edit changed). */
export interface OccurrenceChange {
  allDay: boolean;
  tzid: string | null;
  start?: string;
  end?: string;
  summary?: string;
}

/** How a failed call should be treated; the adapter classifies its provider's errors into these. */
export type SourceFailure =
  /** The account's grant is gone: the user must sign in again. */
  | { kind: 'reauth'; message: string }
  | { kind: 'rate_limited'; retryAfterMs: number | null }
  /** Worth retrying: 5xx, timeouts, an access token refused before its expiry. */
  | { kind: 'transient'; message: string }
  /** The event or occurrence is not there (any more). */
  | { kind: 'gone'; message: string }
  | { kind: 'fatal'; message: string };

/** One account's calendars at its provider (the adapter retries rate limits and 5xx within a call). */
export interface CalendarSource {
  listCalendars(): Promise<SourceCalendar[]>;
  /** Every event of the calendar, deleted ones included, and the token of what follows. */
  listAll(calendarId: string, zone: string | null): Promise<EventPass>;
  /** What changed since `syncToken`; `expired` when the provider no longer knows it (then: list all). */
  listChanges(
    calendarId: string,
    zone: string | null,
    syncToken: string,
  ): Promise<EventPass | { expired: true }>;
  cancelOccurrence(calendarId: string, eventId: string, originalStart: string): Promise<void>;
  patchOccurrence(
    calendarId: string,
    eventId: string,
    originalStart: string,
    change: OccurrenceChange,
  ): Promise<void>;
  deleteSeries(calendarId: string, eventId: string): Promise<void>;
  setRecurrence(calendarId: string, eventId: string, recurrence: string[]): Promise<void>;
  /** Already there (an earlier attempt's answer was lost) counts as inserted. */
  insertSeries(calendarId: string, series: NewSeries): Promise<void>;
}

/** A provider's side of the port: the source of one account, and what its errors mean. */
export interface CalendarProvider {
  /** Throws a failure classified `reauth` when the account has no usable grant. */
  forAccount(accountId: string): Promise<CalendarSource>;
  classify(error: unknown): SourceFailure;
  /** The account's grant is gone: drop whatever is held for it (a cached client). */
  release(accountId: string): void;
}

/** The registry, keyed by `accounts.provider`. */
export type CalendarSources = ReadonlyMap<string, CalendarProvider>;

export function providerOf(sources: CalendarSources, provider: string): CalendarProvider {
  const found = sources.get(provider);
  if (!found) throw new Error(`no calendar source for provider ${provider}`);
  return found;
}
