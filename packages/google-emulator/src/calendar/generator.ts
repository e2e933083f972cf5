/**
 * Seeded calendars for one account: the same (seed, anchor) always gives the same events, ids, etags and
 * sync order. Series start between ~3.5 years before and ~1.5 years after the anchor; singles spread over
 * two years before to one year after. Exceptions are drawn from each series' own expansion, so every
 * `originalStartTime` is a real occurrence.
 */
import {
  ALL_DAY_TITLES,
  EXCEPTION_TITLES,
  NAMES,
  PLACES,
  SERIES,
  type SeriesTemplate,
  SINGLE_TITLES,
  ZONES,
} from './catalogue.js';
import type { CalendarEvent, EventAttendee } from './model.js';
import { calendarEntry, Draw, prng } from './random.js';
import { occurrencesOf, occurrenceTimes, virtualInstance } from './series.js';
import { type AccountCalendars, CalendarState } from './store.js';
import { compactDate, compactUtc, formatInstant, instantToLocal, isoDate, localToInstant } from './time.js';
import { htmlLinkOf } from './write.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface GenerateOptions {
  seed: number;
  /** Fixed reference date (ms) around which data is spread. */
  anchor: number;
  /** The primary calendar only, with no events. */
  empty?: boolean;
}

/** Fills an empty AccountCalendars with a primary and a secondary calendar (the primary alone when `empty`). */
export function generateCalendars(account: AccountCalendars, options: GenerateOptions): void {
  const draw = new Draw(prng(options.seed ^ 0x5eed_ca1e));
  const primaryZone = draw.pick(ZONES.slice(0, 6));
  const primary = new CalendarState(calendarEntry(account.email, account.email, primaryZone, true));
  account.calendars.set(primary.entry.id, primary);
  if (options.empty) return;
  const secondaryId = `c_${Array.from({ length: 32 }, () => draw.int(0, 15).toString(16)).join('')}@group.calendar.google.com`;
  const secondary = new CalendarState(
    calendarEntry(secondaryId, draw.pick(['Family', 'Team', 'Side project']), draw.pick(ZONES), false),
  );
  account.calendars.set(secondary.entry.id, secondary);
  const gen = new Generator(account, draw, options.anchor);
  gen.series(primary, 50);
  gen.singles(primary, 320);
  gen.series(secondary, 8);
  gen.singles(secondary, 60);
}

class Generator {
  constructor(
    private readonly account: AccountCalendars,
    private readonly draw: Draw,
    private readonly anchor: number,
  ) {}

  private base(calendar: CalendarState, id: string, createdMs: number): Omit<CalendarEvent, 'start' | 'end'> {
    const email = this.account.email;
    const created = new Date(createdMs).toISOString();
    return {
      kind: 'calendar#event',
      etag: '',
      id,
      status: 'confirmed',
      htmlLink: htmlLinkOf(id, calendar.entry.id),
      created,
      updated: new Date(
        createdMs + this.draw.int(0, 20) * DAY + this.draw.int(0, 86_399) * 1000,
      ).toISOString(),
      creator: { email, self: true },
      organizer: calendar.entry.primary
        ? { email, self: true }
        : { email: calendar.entry.id, displayName: calendar.entry.summary, self: true },
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      eventType: 'default',
    };
  }

  private save(calendar: CalendarState, event: CalendarEvent): CalendarEvent {
    return this.account.put(calendar, event, { keepUpdated: true }).event;
  }

  series(calendar: CalendarState, count: number): void {
    const zone = calendar.entry.timeZone;
    for (let i = 0; i < count; i++) {
      const template = SERIES[i % SERIES.length]!;
      const parent = this.seriesParent(calendar, template);
      const split = this.draw.chance(0.12);
      const occurrences = occurrencesOf(parent, zone, this.anchor + 400 * DAY, 400);
      if (split && occurrences.length >= 8) {
        const at = occurrences[Math.floor(occurrences.length / 2)]!.start;
        this.splitSeries(
          calendar,
          parent,
          at,
          occurrences.filter((o) => o.start < at).map((o) => o.start),
        );
      } else {
        this.exceptions(
          calendar,
          this.save(calendar, parent),
          occurrences.map((o) => o.start),
        );
      }
      if (this.draw.chance(0.04)) {
        const current = calendar.events.get(parent.id)!.event;
        this.save(calendar, { ...current, status: 'cancelled', updated: bump(current.updated) });
      }
    }
  }

  private seriesParent(calendar: CalendarState, template: SeriesTemplate): CalendarEvent {
    const zone = template.zone ?? (this.draw.chance(0.5) ? calendar.entry.timeZone : this.draw.pick(ZONES));
    const startDay = Math.floor(this.anchor / DAY) * DAY + this.draw.int(-1250, 550) * DAY;
    const hour = this.draw.pick(template.hours ?? [9]);
    const local = startDay + hour * HOUR;
    const id = this.draw.id();
    const base = this.base(calendar, id, localToInstant(startDay, zone) - this.draw.int(1, 60) * DAY);
    let rule = template.rule;
    if (!template.unbounded) {
      const end = this.draw.next();
      if (end < 0.25) rule += `;COUNT=${this.draw.int(5, 80)}`;
      else if (end < 0.5) {
        const untilLocal = startDay + this.draw.int(30, 900) * DAY + 23 * HOUR + 59 * MINUTE + 59_000;
        // Google writes UNTIL in UTC for timed series and as a date for all-day ones.
        rule += template.allDay
          ? `;UNTIL=${compactDate(untilLocal)}`
          : `;UNTIL=${compactUtc(localToInstant(untilLocal, zone))}`;
      }
    }
    const draft: CalendarEvent = {
      ...base,
      summary: this.draw.fill(template.summary),
      ...(this.draw.chance(0.3) ? { location: this.draw.pick(PLACES) } : {}),
      recurrence: [`RRULE:${rule}`],
      ...(template.allDay
        ? {
            start: { date: isoDate(startDay) },
            end: { date: isoDate(startDay + DAY) },
            transparency: 'transparent' as const,
          }
        : {
            start: { dateTime: formatInstant(localToInstant(local, zone), zone), timeZone: zone },
            end: {
              dateTime: formatInstant(localToInstant(local, zone) + (template.minutes ?? 60) * MINUTE, zone),
              timeZone: zone,
            },
          }),
    };
    // RFC 5545 §3.8.5.3: DTSTART should be synchronized with the rule; move it to the first occurrence.
    const first = occurrencesOf(draft, calendar.entry.timeZone, Number.MAX_SAFE_INTEGER, 1)[0];
    return first ? { ...draft, ...occurrenceTimes(draft, first.start, calendar.entry.timeZone) } : draft;
  }

  /** EXDATEs, cancelled instances, moved and retitled instances of one stored parent. */
  private exceptions(calendar: CalendarState, parent: CalendarEvent, starts: number[]): void {
    const zone = calendar.entry.timeZone;
    const allDay = parent.start.date !== undefined;
    const pool = starts.slice(1);
    const take = () => (pool.length > 0 ? pool.splice(this.draw.int(0, pool.length - 1), 1)[0] : undefined);
    if (starts.length < 4) return;
    if (this.draw.chance(0.35)) {
      const lines: string[] = [];
      for (let n = this.draw.int(1, 2); n > 0; n--) {
        const start = take();
        if (start === undefined) break;
        const seriesTz = parent.start.timeZone!;
        // e.g. EXDATE;TZID=Europe/Berlin:20250916T170000 (local time in the series' zone)
        lines.push(
          allDay
            ? `EXDATE;VALUE=DATE:${compactDate(start)}`
            : `EXDATE;TZID=${seriesTz}:${compactUtc(instantToLocal(start, seriesTz)).slice(0, -1)}`,
        );
      }
      parent = this.save(calendar, { ...parent, recurrence: [...parent.recurrence!, ...lines] });
    }
    const instance = (start: number): CalendarEvent => ({
      ...virtualInstance(parent, start, zone),
      created: parent.created,
      updated: new Date(
        Math.max(Date.parse(parent.updated), start - this.draw.int(1, 30) * DAY),
      ).toISOString(),
    });
    if (this.draw.chance(0.4)) {
      for (let n = this.draw.int(1, 2); n > 0; n--) {
        const start = take();
        if (start !== undefined) this.save(calendar, { ...instance(start), status: 'cancelled' });
      }
    }
    if (this.draw.chance(0.4)) {
      const start = take();
      if (start !== undefined) {
        const moved = instance(start);
        const shift = allDay ? DAY : this.draw.int(1, 3) * HOUR;
        const times = occurrenceTimes(parent, start + shift, zone);
        this.save(calendar, { ...moved, ...times, sequence: parent.sequence + 1 });
      }
    }
    if (this.draw.chance(0.3)) {
      const start = take();
      if (start !== undefined) {
        const retitled = instance(start);
        this.save(calendar, {
          ...retitled,
          summary: `${parent.summary} ${this.draw.pick(EXCEPTION_TITLES)}`,
        });
      }
    }
  }

  /**
   * 'This and following' as Google does it: the parent gets an UNTIL just before the split and a new series
   * (id `{parentId}_R{YYYYMMDDTHHMMSS}`, as Google's own clients name it) starts at the split.
   */
  private splitSeries(calendar: CalendarState, parent: CalendarEvent, at: number, before: number[]): void {
    const zone = calendar.entry.timeZone;
    const rule = parent.recurrence![0]!.replace(/;(COUNT|UNTIL)=[^;]*/g, '');
    const allDay = parent.start.date !== undefined;
    const until = allDay ? compactDate(at - DAY) : compactUtc(at - 1000);
    const head = this.save(calendar, { ...parent, recurrence: [`${rule};UNTIL=${until}`] });
    this.exceptions(calendar, head, before);
    const id = `${parent.id}_R${allDay ? compactDate(at) : compactUtc(at).slice(0, -1)}`;
    const shift = allDay ? 0 : this.draw.pick([0, HOUR, -HOUR, 30 * MINUTE]);
    const times = occurrenceTimes(parent, at + shift, zone);
    const tail: CalendarEvent = {
      ...this.base(calendar, id, Date.parse(head.updated)),
      summary: shift === 0 ? `${parent.summary} (new format)` : parent.summary!,
      recurrence: [rule],
      ...times,
    };
    const stored = this.save(calendar, tail);
    const tailStarts = occurrencesOf(stored, zone, this.anchor + 400 * DAY, 200).map((o) => o.start);
    this.exceptions(calendar, stored, tailStarts);
  }

  singles(calendar: CalendarState, count: number): void {
    for (let i = 0; i < count; i++) {
      const zone = this.draw.chance(0.85) ? calendar.entry.timeZone : this.draw.pick(ZONES);
      const day = Math.floor(this.anchor / DAY) * DAY + this.draw.int(-730, 365) * DAY;
      const id = this.draw.id();
      const allDay = this.draw.chance(0.12);
      const local = day + this.draw.int(7 * 4, 19 * 4) * 15 * MINUTE;
      const startMs = allDay ? localToInstant(day, zone) : localToInstant(local, zone);
      const base = this.base(calendar, id, startMs - this.draw.int(1, 90) * DAY);
      const event: CalendarEvent = {
        ...base,
        summary: this.draw.fill(this.draw.pick(allDay ? ALL_DAY_TITLES : SINGLE_TITLES)),
        ...(this.draw.chance(0.25) ? { location: this.draw.pick(PLACES) } : {}),
        ...(this.draw.chance(0.15) ? { description: 'Agenda in the doc.\nBring the numbers.' } : {}),
        ...(this.draw.chance(0.3) ? { attendees: this.attendees() } : {}),
        ...(this.draw.chance(0.05) ? { status: 'tentative' as const } : {}),
        ...(allDay
          ? { start: { date: isoDate(day) }, end: { date: isoDate(day + this.draw.int(1, 3) * DAY) } }
          : {
              start: { dateTime: formatInstant(startMs, zone), timeZone: zone },
              end: {
                dateTime: formatInstant(
                  startMs + this.draw.pick([15, 30, 45, 60, 90, 120, 180]) * MINUTE,
                  zone,
                ),
                timeZone: zone,
              },
            }),
      };
      this.save(calendar, event);
      if (this.draw.chance(0.03))
        this.save(calendar, { ...event, status: 'cancelled', updated: bump(event.updated) });
    }
  }

  private attendees(): EventAttendee[] {
    const statuses = ['accepted', 'declined', 'tentative', 'needsAction'] as const;
    const self: EventAttendee = {
      email: this.account.email,
      self: true,
      organizer: true,
      responseStatus: 'accepted',
    };
    const others = Array.from({ length: this.draw.int(1, 4) }, () => {
      const name = this.draw.pick(NAMES).toLowerCase();
      return { email: `${name}@example.com`, responseStatus: this.draw.pick(statuses) };
    });
    return [self, ...others.filter((a, i) => others.findIndex((b) => b.email === a.email) === i)];
  }
}

/** A deterministic later `updated` for a generated second write. */
const bump = (updated: string) => new Date(Date.parse(updated) + 3 * DAY).toISOString();
