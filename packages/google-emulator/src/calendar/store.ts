/**
 * In-memory calendars of one account. Every write goes through `put`, which bumps the account's change
 * sequence: incremental sync is "everything with a change number above the token's".
 */
import type { CalendarEvent, CalendarListEntry } from './model.js';

export interface StoredEvent {
  event: CalendarEvent;
  /** Account-wide change number of the last write: what sync tokens compare against. */
  changeSeq: number;
  /** Insertion order: the stable order of list results (Google's order is unspecified but stable). */
  order: number;
}

export class CalendarState {
  readonly events = new Map<string, StoredEvent>();
  /** Exception (modified or cancelled instance) ids by their parent id. */
  readonly exceptions = new Map<string, Set<string>>();

  constructor(public entry: CalendarListEntry) {}

  exceptionsOf(parentId: string): StoredEvent[] {
    const ids = this.exceptions.get(parentId) ?? new Set();
    return [...ids].map((id) => this.events.get(id)).filter((e): e is StoredEvent => e !== undefined);
  }
}

/** An account's run-time writes, as saved across restarts (src/state): generated events are not in it. */
export interface CalendarChanges {
  changeSeq: number;
  tokenGeneration: number;
  nextOrder: number;
  /** Events written since generation, in their latest version. */
  events: { calendarId: string; stored: StoredEvent }[];
}

export class AccountCalendars {
  readonly calendars = new Map<string, CalendarState>();
  /** Last change number handed out. */
  changeSeq = 0;
  /** Bumped by invalidateSyncTokens: a token of an older generation answers 410. */
  tokenGeneration = 1;
  private nextOrder = 0;
  /** changeSeq once the seeded data was generated: writes after it are run-time changes. */
  #generatedSeq: number | undefined;

  constructor(
    readonly email: string,
    private readonly clock: () => number,
    /** Called after every run-time change (not while the seeded data is generated). */
    private readonly onChange: () => void = () => {},
  ) {}

  /** The seeded data is in place: from now on every write is a run-time change. */
  markGenerated(): void {
    this.#generatedSeq = this.changeSeq;
  }

  /** Every syncToken issued so far answers 410 (Google: full sync required). */
  invalidateSyncTokens(): void {
    this.tokenGeneration++;
    this.onChange();
  }

  /** The run-time changes, or undefined when there are none. */
  exportChanges(): CalendarChanges | undefined {
    const since = this.#generatedSeq ?? 0;
    if (this.changeSeq === since && this.tokenGeneration === 1) return undefined;
    const events: CalendarChanges['events'] = [];
    for (const [calendarId, calendar] of this.calendars) {
      for (const stored of calendar.events.values())
        if (stored.changeSeq > since) events.push({ calendarId, stored });
    }
    return {
      changeSeq: this.changeSeq,
      tokenGeneration: this.tokenGeneration,
      nextOrder: this.nextOrder,
      events,
    };
  }

  /** Puts saved changes back on freshly generated calendars of the same (seed, anchor). */
  restoreChanges(changes: CalendarChanges): void {
    for (const { calendarId, stored } of changes.events) {
      const calendar = this.calendars.get(calendarId);
      if (!calendar) continue;
      calendar.events.set(stored.event.id, stored);
      const parentId = stored.event.recurringEventId;
      if (parentId)
        calendar.exceptions.set(
          parentId,
          (calendar.exceptions.get(parentId) ?? new Set()).add(stored.event.id),
        );
    }
    this.changeSeq = changes.changeSeq;
    this.tokenGeneration = changes.tokenGeneration;
    this.nextOrder = changes.nextOrder;
  }

  calendar(calendarId: string): CalendarState | undefined {
    return this.calendars.get(calendarId === 'primary' ? this.email : calendarId);
  }

  /** The time of a write: never before the event's previous `updated`, so `updated` only grows. */
  writeTime(previous?: CalendarEvent): number {
    const now = this.clock();
    return previous ? Math.max(now, Date.parse(previous.updated) + 1) : now;
  }

  /** Stores an event as a new change: sets `updated` (unless `keepUpdated`), `etag` and the change number. */
  put(calendar: CalendarState, event: CalendarEvent, options: { keepUpdated?: boolean } = {}): StoredEvent {
    const previous = calendar.events.get(event.id);
    const seq = ++this.changeSeq;
    const updatedMs = options.keepUpdated ? Date.parse(event.updated) : this.writeTime(previous?.event);
    const stored: StoredEvent = {
      event: { ...event, updated: new Date(updatedMs).toISOString(), etag: etagOf(updatedMs, seq) },
      changeSeq: seq,
      order: previous?.order ?? this.nextOrder++,
    };
    calendar.events.set(event.id, stored);
    if (event.recurringEventId) {
      const set = calendar.exceptions.get(event.recurringEventId) ?? new Set<string>();
      set.add(event.id);
      calendar.exceptions.set(event.recurringEventId, set);
    }
    if (this.#generatedSeq !== undefined) this.onChange();
    return stored;
  }
}

/** Google's event etags are quoted decimal strings derived from the modification time. */
export function etagOf(updatedMs: number, seq: number): string {
  return `"${updatedMs}${String(seq % 1000).padStart(3, '0')}"`;
}

// Tokens are opaque to clients; ours are base64url JSON so they survive restarts of a paging loop.

export interface SyncTokenState {
  calendarId: string;
  generation: number;
  seq: number;
}

export interface PageTokenState {
  /** Offset into the (re)computed result list. */
  offset: number;
  /** Change number when the first page was served: the nextSyncToken of the last page. */
  snapshot: number;
  /** With a syncToken: the change number it started from. */
  since?: number;
}

export function encodeToken(prefix: string, state: object): string {
  return prefix + Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken<T>(prefix: string, token: string): T | undefined {
  if (!token.startsWith(prefix)) return undefined;
  try {
    return JSON.parse(Buffer.from(token.slice(prefix.length), 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
