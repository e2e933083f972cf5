/**
 * Wall-clock ↔ instant mapping for Calendar expansion. Pure; no clock.
 *
 * RFC 5545 §3.3.5 (as amended by erratum 4271) and §3.3.10: a recurrence instance whose local time does not
 * exist (spring forward) is read with the UTC offset before the gap, i.e. it moves forward by the gap; a local
 * time that occurs twice (fall back) means the first occurrence. Google Calendar behaves the same way.
 *
 * We do not use luxon's `DateTime.fromObject({..}, {zone})` for this: it resolves gaps forward, but resolves
 * overlaps inconsistently (America/New_York and Europe/Berlin pick the *later* offset, Australia/Sydney the
 * earlier one, checked with luxon 3.7.2). We only use luxon's zone offset table.
 */
import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const DAY = 86_400_000;

const zoneCache = new Map<string, IANAZone>();

/** The IANA zone, or undefined when the name is not a valid zone. */
export function ianaZone(name: string): IANAZone | undefined {
  let zone = zoneCache.get(name);
  if (!zone) {
    if (!IANAZone.isValidZone(name)) return undefined;
    zone = IANAZone.create(name);
    zoneCache.set(name, zone);
  }
  return zone;
}

function zoneOrThrow(name: string): IANAZone {
  const zone = ianaZone(name);
  if (!zone) throw new Error(`unknown time zone ${name}`);
  return zone;
}

const QUARTER_HOUR = 15 * MINUTE;
const offsetCache = new Map<string, Map<number, number>>();

/**
 * Offset of `zone` at instant `ms`, in milliseconds. luxon asks Intl (~20 µs a call), so offsets are cached
 * per quarter hour: since 1970 every IANA transition falls on a quarter-hour boundary.
 */
function offsetAt(zone: IANAZone, ms: number): number {
  if (ms < 0) return zone.offset(ms) * MINUTE;
  let cache = offsetCache.get(zone.name);
  if (!cache) {
    cache = new Map();
    offsetCache.set(zone.name, cache);
  }
  const bucket = Math.floor(ms / QUARTER_HOUR);
  let offset = cache.get(bucket);
  if (offset === undefined) {
    if (cache.size > 500_000) cache.clear();
    offset = zone.offset(bucket * QUARTER_HOUR) * MINUTE;
    cache.set(bucket, offset);
  }
  return offset;
}

/**
 * The instant of a floating local time (wall clock encoded as if it were UTC: `Date.UTC(y, m, d, h, mi, s)`)
 * in `zoneName`: the earliest valid reading when ambiguous, shifted forward by the gap when nonexistent.
 */
export function localToInstant(floatingMs: number, zoneName: string): number {
  const zone = zoneOrThrow(zoneName);
  // Offsets in force around this wall time: a transition inside ±1 day is the only thing that can matter.
  const candidates = new Set([
    offsetAt(zone, floatingMs - DAY),
    offsetAt(zone, floatingMs),
    offsetAt(zone, floatingMs + DAY),
  ]);
  let best: number | undefined;
  for (const offset of candidates) {
    const instant = floatingMs - offset;
    if (offsetAt(zone, instant) === offset && (best === undefined || instant < best)) best = instant;
  }
  if (best !== undefined) return best;
  // Nonexistent: use the offset before the gap (the smaller one: clocks jump forward at a gap).
  return floatingMs - Math.min(...candidates);
}

/** The floating local time (wall clock as UTC ms) of an instant in `zoneName`. */
export function instantToLocal(instantMs: number, zoneName: string): number {
  return instantMs + offsetAt(zoneOrThrow(zoneName), instantMs);
}

/** RFC 3339 with the zone's offset at that instant, seconds precision: `2025-03-10T09:00:00-04:00`. */
export function formatInstant(instantMs: number, zoneName: string): string {
  const offset = offsetAt(zoneOrThrow(zoneName), instantMs);
  const wall = new Date(Math.floor((instantMs + offset) / 1000) * 1000).toISOString().slice(0, 19);
  if (offset === 0 && zoneName === 'UTC') return `${wall}Z`;
  const abs = Math.abs(offset) / MINUTE;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

/** `YYYYMMDDTHHMMSSZ`: the UTC form used in instance ids and in UTC UNTIL/EXDATE values. */
export function compactUtc(instantMs: number): string {
  return new Date(instantMs)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** `YYYYMMDD` of a floating date (midnight UTC ms). */
export function compactDate(floatingMs: number): string {
  return new Date(floatingMs).toISOString().slice(0, 10).replace(/-/g, '');
}

/** `YYYY-MM-DD` of a floating date (midnight UTC ms). */
export function isoDate(floatingMs: number): string {
  return new Date(floatingMs).toISOString().slice(0, 10);
}

/** Parses `YYYY-MM-DD` to a floating date (midnight UTC ms). */
export function parseIsoDate(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new Error(`invalid date ${date}`);
  return ms;
}

/** RFC 3339 date-time with an explicit offset or Z (Google refuses anything else for timeMin/timeMax). */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses an iCalendar date or date-time value (`20250916`, `20250916T170000`, `20250916T170000Z`) into
 * either a date (floating midnight), a UTC instant, or a floating wall time to be read in a zone.
 */
export type IcalValue =
  | { kind: 'date'; floating: number }
  | { kind: 'utc'; instant: number }
  | { kind: 'local'; floating: number };

export function parseIcalValue(value: string): IcalValue {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(value.trim());
  if (!m) throw new Error(`invalid iCalendar date-time ${value}`);
  const [, y, mo, d, h, mi, s, z] = m;
  const floating = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  );
  if (h === undefined) return { kind: 'date', floating };
  return z ? { kind: 'utc', instant: floating } : { kind: 'local', floating };
}
