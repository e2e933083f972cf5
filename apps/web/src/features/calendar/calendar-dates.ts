import { toInstant } from '@firstlight/recurrence';

/**
 * Civil dates (`YYYY-MM-DD`) and their instants in the viewer's zone. Day arithmetic happens on dates encoded
 * as UTC midnights, so it never depends on the host's zone or a DST edge; only `dayStart` maps to an instant.
 */

const DAY_MS = 86_400_000;

export const COMMON_ZONES = [
  'UTC',
  'America/Los_Angeles',
  'America/New_York',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Tokyo',
  'Australia/Sydney',
];

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday … 6 = Sunday (ISO 8601 weeks, which is also how the grid's columns run). */
export function weekdayIndex(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function monthStart(year: number, month: number): string {
  const normalised = new Date(Date.UTC(year, month - 1, 1));
  return normalised.toISOString().slice(0, 10);
}

export function shiftMonth(anchor: string, months: number): string {
  const [year, month] = anchor.split('-').map(Number) as [number, number];
  return monthStart(year, month + months);
}

/** The Monday-first weeks covering a month: 6 rows always, so the grid never changes height between months. */
export function monthGrid(anchor: string): string[] {
  const first = `${anchor.slice(0, 8)}01`;
  const start = addDays(first, -weekdayIndex(first));
  return Array.from({ length: 42 }, (_, i) => addDays(start, i));
}

export function weekDays(anchor: string): string[] {
  const start = addDays(anchor, -weekdayIndex(anchor));
  return Array.from({ length: 7 }, (_, i) => addDays(start, i));
}

/** Midnight of a civil date in `zone` (a nonexistent midnight moves forward, as the engine maps it). */
export function dayStart(date: string, zone: string): Date {
  return toInstant(`${date}T00:00:00`, zone);
}

/** The civil date of an instant in `zone`. */
export function dateInZone(instant: Date, zone: string): string {
  return zoneFormats(zone).isoDate.format(instant);
}

interface ZoneFormats {
  isoDate: Intl.DateTimeFormat;
  time: Intl.DateTimeFormat;
  dateTime: Intl.DateTimeFormat;
}
const formatsByZone = new Map<string, ZoneFormats>();

/** Intl formatters are costly to build (~0.1 ms each): one set per zone, reused by every cell. */
export function zoneFormats(zone: string): ZoneFormats {
  let formats = formatsByZone.get(zone);
  if (!formats) {
    formats = {
      // en-CA formats dates as YYYY-MM-DD.
      isoDate: new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }),
      time: new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' }),
      dateTime: new Intl.DateTimeFormat(undefined, { timeZone: zone, dateStyle: 'full', timeStyle: 'short' }),
    };
    formatsByZone.set(zone, formats);
  }
  return formats;
}

export function todayIn(zone: string): string {
  return dateInZone(new Date(), zone);
}

/** A civil date's weekday name in the viewer's locale (formatted at UTC noon, so zone-free). */
export function weekdayName(day: string, width: 'short' | 'long'): string {
  return new Date(`${day}T12:00:00Z`).toLocaleDateString(undefined, { weekday: width, timeZone: 'UTC' });
}

const longDateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** A civil date spelled out (dates are zone-free: formatted at UTC noon). */
export function longDate(day: string): string {
  return longDateFormat.format(new Date(`${day}T12:00:00Z`));
}

const shortDateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: 'short',
  day: 'numeric',
  month: 'long',
  timeZone: 'UTC',
});

/**
 * The civil days an all-day occurrence covers, as the locale writes a range ("Mon 19 – Tue 20 January"; a
 * single day "Mon 19 January"). `last` is inclusive.
 */
export function dateRange(first: string, last: string): string {
  const from = new Date(`${first}T12:00:00Z`);
  if (last <= first) return shortDateFormat.format(from);
  return shortDateFormat.formatRange(from, new Date(`${last}T12:00:00Z`));
}
