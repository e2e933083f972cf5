/**
 * The Calendar emulation for all accounts of one emulator: lazily generated per account from its seed,
 * kept in memory. Routes call one method each; methods throw GoogleError for Google-shaped failures.
 */
import type { EmulatorAccount } from '../types.js';
import { fullSyncRequired, invalidParameter, notFound } from './errors.js';
import { generateCalendars } from './generator.js';
import {
  changesSince,
  eventsAsStored,
  eventsExpanded,
  type ListContext,
  seriesInstances,
  sortByStart,
} from './list.js';
import type { CalendarEvent, EventWrite } from './model.js';
import { originalKey, present } from './present.js';
import {
  calendarListQuery,
  checkOrderBy,
  checkSyncTokenCombination,
  eventsListQuery,
  instancesQuery,
  parseQuery,
} from './query.js';
import { prng } from './random.js';
import { isRecurring } from './series.js';
import { type CalendarServiceOptions, DEFAULT_ANCHOR, type EventsPage } from './service-options.js';
import {
  AccountCalendars,
  type CalendarChanges,
  decodeToken,
  encodeToken,
  type PageTokenState,
  type SyncTokenState,
} from './store.js';
import { deleteEvent, getEvent, insertEvent, patchEvent, updateEvent } from './write.js';

const DAY = 86_400_000;

export {
  type CalendarAccountDirectory,
  type CalendarServiceOptions,
  DEFAULT_ANCHOR,
  type EventsPage,
} from './service-options.js';

export class CalendarService {
  readonly anchor: number;
  private readonly accounts = new Map<string, AccountCalendars>();
  private readonly now: () => number;
  private readonly horizonMs: number;
  private readonly ids = new Map<string, () => number>();

  constructor(private readonly options: CalendarServiceOptions) {
    this.anchor = new Date(options.anchor ?? DEFAULT_ANCHOR).getTime();
    if (Number.isNaN(this.anchor)) throw new Error(`invalid calendar anchor ${String(options.anchor)}`);
    this.now = options.now ?? Date.now;
    this.horizonMs = (options.horizonDays ?? 3 * 365) * DAY;
  }

  /** The account's calendars, generated on first use from its seed. */
  account(who: EmulatorAccount | string): AccountCalendars {
    const email = typeof who === 'string' ? who : who.email;
    let calendars = this.accounts.get(email);
    if (!calendars) {
      const account = typeof who === 'string' ? this.options.accounts.get(who) : who;
      if (!account) throw notFound();
      calendars = new AccountCalendars(email, this.now, this.options.onChange);
      generateCalendars(calendars, {
        seed: account.seed,
        anchor: this.anchor,
        empty: this.options.empty ?? false,
      });
      calendars.markGenerated();
      this.accounts.set(email, calendars);
    }
    return calendars;
  }

  /** Drops an account's calendars: the next call regenerates them from the seed. */
  reset(email: string): void {
    this.accounts.delete(email);
    this.options.onChange?.();
  }

  /** Every syncToken issued so far for the account now answers 410 (Google: token expired). */
  invalidateSyncTokens(email: string): void {
    this.accounts.get(email)?.invalidateSyncTokens();
  }

  /** Run-time changes of every account that has some, by address. */
  exportState(): Record<string, CalendarChanges> {
    const state: Record<string, CalendarChanges> = {};
    for (const [email, calendars] of this.accounts) {
      const changes = calendars.exportChanges();
      if (changes) state[email] = changes;
    }
    return state;
  }

  /** Saved changes back onto freshly generated calendars; addresses no longer served are skipped. */
  restoreState(state: Record<string, CalendarChanges>): void {
    for (const [email, changes] of Object.entries(state)) {
      if (this.options.accounts.get(email)) this.account(email).restoreChanges(changes);
    }
  }

  context(who: EmulatorAccount | string, calendarId: string): ListContext {
    const account = this.account(who);
    const calendar = account.calendar(calendarId);
    if (!calendar) throw notFound();
    return {
      account,
      calendar,
      horizon: (timeMin) => Math.max(timeMin ?? this.anchor, this.anchor) + this.horizonMs,
    };
  }

  listCalendars(who: EmulatorAccount, rawQuery: unknown) {
    parseQuery(calendarListQuery, rawQuery);
    const account = this.account(who);
    return {
      kind: 'calendar#calendarList' as const,
      etag: `"${account.changeSeq}"`,
      nextSyncToken: encodeToken('L', { generation: account.tokenGeneration }),
      items: [...account.calendars.values()].map((c) => c.entry),
    };
  }

  listEvents(
    who: EmulatorAccount | string,
    calendarId: string,
    rawQuery: Record<string, unknown>,
  ): EventsPage {
    const query = parseQuery(eventsListQuery, rawQuery);
    checkSyncTokenCombination({ ...query, ...rawQuery } as typeof query & Record<string, unknown>);
    checkOrderBy(query);
    const ctx = this.context(who, calendarId);
    const state = this.pageState(ctx, query.pageToken, query.syncToken);
    const filters = {
      window: { min: query.timeMin, max: query.timeMax },
      showDeleted: query.showDeleted,
      updatedMin: query.updatedMin,
      q: query.q,
      iCalUID: query.iCalUID,
    };
    let items =
      state.since !== undefined
        ? changesSince(ctx, state.since, query.singleEvents)
        : query.singleEvents
          ? eventsExpanded(ctx, filters)
          : eventsAsStored(ctx, filters);
    if (query.orderBy === 'updated') items = [...items].sort((a, b) => a.updated.localeCompare(b.updated));
    return this.page(ctx, items, state, query.maxResults, query.timeZone, true);
  }

  instances(who: EmulatorAccount, calendarId: string, eventId: string, rawQuery: unknown): EventsPage {
    const query = parseQuery(instancesQuery, rawQuery);
    const ctx = this.context(who, calendarId);
    const parent = ctx.calendar.events.get(eventId)?.event;
    if (!parent || !isRecurring(parent)) throw notFound();
    const state = this.pageState(ctx, query.pageToken, undefined);
    let items = sortByStart(
      ctx,
      seriesInstances(ctx, parent, { min: query.timeMin, max: query.timeMax }, query.showDeleted),
    );
    if (parent.status === 'cancelled' && !query.showDeleted) items = [];
    if (query.originalStart) {
      const wanted = Date.parse(query.originalStart);
      items = items.filter(
        (e) =>
          originalKey(e.originalStartTime) === wanted || e.originalStartTime?.date === query.originalStart,
      );
    }
    return this.page(ctx, items, state, query.maxResults, query.timeZone, false);
  }

  getEvent(who: EmulatorAccount, calendarId: string, eventId: string, timeZone?: string): CalendarEvent {
    const ctx = this.context(who, calendarId);
    return present(getEvent(ctx, eventId), timeZone ?? ctx.calendar.entry.timeZone, false) as CalendarEvent;
  }

  insertEvent(who: EmulatorAccount | string, calendarId: string, body: EventWrite, timeZone?: string) {
    const ctx = this.context(who, calendarId);
    const event = insertEvent(ctx, body, () => this.newEventId(ctx.account.email));
    return present(event, timeZone ?? ctx.calendar.entry.timeZone, false);
  }

  patchEvent(
    who: EmulatorAccount | string,
    calendarId: string,
    eventId: string,
    body: EventWrite,
    timeZone?: string,
  ) {
    const ctx = this.context(who, calendarId);
    return present(patchEvent(ctx, eventId, body), timeZone ?? ctx.calendar.entry.timeZone, false);
  }

  updateEvent(
    who: EmulatorAccount | string,
    calendarId: string,
    eventId: string,
    body: EventWrite,
    timeZone?: string,
  ) {
    const ctx = this.context(who, calendarId);
    return present(updateEvent(ctx, eventId, body), timeZone ?? ctx.calendar.entry.timeZone, false);
  }

  deleteEvent(who: EmulatorAccount | string, calendarId: string, eventId: string): void {
    deleteEvent(this.context(who, calendarId), eventId);
  }

  /** Ids for inserts without one: deterministic per account (the seed of the account's first write). */
  private newEventId(email: string): string {
    let next = this.ids.get(email);
    if (!next) {
      next = prng((this.account(email).changeSeq * 2654435761) >>> 0);
      this.ids.set(email, next);
    }
    const alphabet = 'abcdefghijklmnopqrstuv0123456789';
    return Array.from({ length: 26 }, () => alphabet[Math.floor(next!() * 32)]).join('');
  }

  private pageState(
    ctx: ListContext,
    pageToken?: string,
    syncToken?: string,
  ): PageTokenState & { generation: number } {
    const generation = ctx.account.tokenGeneration;
    if (pageToken) {
      const state = decodeToken<PageTokenState & { generation: number }>('P', pageToken);
      if (!state || typeof state.offset !== 'number') throw invalidParameter('pageToken');
      if (state.since !== undefined && state.generation !== generation) throw fullSyncRequired();
      return state;
    }
    const snapshot = ctx.account.changeSeq;
    if (!syncToken) return { offset: 0, snapshot, generation };
    const token = decodeToken<SyncTokenState>('S', syncToken);
    if (!token || typeof token.seq !== 'number')
      throw invalidParameter('syncToken', 'Invalid sync token value.');
    if (token.generation !== generation || token.calendarId !== ctx.calendar.entry.id)
      throw fullSyncRequired();
    return { offset: 0, snapshot, since: token.seq, generation };
  }

  private page(
    ctx: ListContext,
    items: CalendarEvent[],
    state: PageTokenState & { generation: number },
    maxResults: number,
    timeZone: string | undefined,
    withSyncToken: boolean,
  ): EventsPage {
    const { entry } = ctx.calendar;
    const end = state.offset + maxResults;
    const more = end < items.length;
    const zone = timeZone ?? entry.timeZone;
    let lastUpdate = '';
    for (const e of items) if (e.updated > lastUpdate) lastUpdate = e.updated;
    return {
      kind: 'calendar#events',
      etag: `"${ctx.account.changeSeq}"`,
      summary: entry.summary,
      updated: lastUpdate || new Date(this.anchor).toISOString(),
      timeZone: zone,
      accessRole: entry.accessRole,
      defaultReminders: entry.defaultReminders,
      ...(more ? { nextPageToken: encodeToken('P', { ...state, offset: end }) } : {}),
      ...(!more && withSyncToken
        ? {
            nextSyncToken: encodeToken('S', {
              calendarId: entry.id,
              generation: state.generation,
              seq: state.snapshot,
            } satisfies SyncTokenState),
          }
        : {}),
      items: items.slice(state.offset, end).map((e) => present(e, zone, true)),
    };
  }
}
