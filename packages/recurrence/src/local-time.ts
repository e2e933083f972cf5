/**
 * Wall-clock time ↔ instants, on the platform's own time-zone data (Intl), with no dependency.
 *
 * A *floating* local time is a wall-clock reading encoded as if it were UTC: `Date.UTC(y, m, d, h, mi, s)`.
 * Recurrence rules iterate in floating time (no DST there), and each result is mapped to an instant here.
 *
 * Why not luxon: its `DateTime.fromObject(.., { zone })` shifts gaps forward but resolves overlaps
 * inconsistently between zones (later offset in America/New_York, earlier in Australia/Sydney with 3.7), and
 * an Intl call per lookup (~1.3–20 µs) is too slow for thousands of occurrences. Instead each zone gets a
 * table of its offset transitions, built lazily per 364-day block from fortnightly Intl samples refined
 * by bisection (~55 Intl calls, ~0.1 ms a block), so a lookup is a Map get and a loop over one or two
 * transitions. Limitation: a pair of transitions less than two weeks apart that returns to the same
 * offset is not seen (the shortest such DST interruption since 1970, Morocco's for Ramadan, lasts 4+ weeks).
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
const BLOCK = 52 * WEEK;
/** Offsets are sampled this often in a block, then transitions found by bisection. */
const SAMPLE = 2 * WEEK;

/** A time zone resolved against Intl, with its lazily built offset table. */
export interface Zone {
  /** The canonical IANA name (Intl's spelling: `america/new_york` → `America/New_York`). */
  readonly name: string;
  readonly format: Intl.DateTimeFormat;
  /** Set for zones whose offset never changes (UTC, Etc/GMT±N): no table needed. */
  readonly fixedOffset: number | undefined;
  readonly blocks: Map<number, OffsetBlock>;
  /** The last span of constant offset looked up: consecutive occurrences mostly fall in the same one. */
  span: { offset: number; from: number; to: number } | undefined;
}

/** Offsets over one block: `offsets[0]` from the block start, `offsets[i]` from `transitions[i - 1]`. */
interface OffsetBlock {
  transitions: number[];
  offsets: number[];
}

const zones = new Map<string, Zone | null>();

/** The zone, or undefined when Intl does not know the name. Zones are cached for the process. */
export function resolveZone(name: string): Zone | undefined {
  const cached = zones.get(name);
  if (cached !== undefined) return cached ?? undefined;
  let zone: Zone | null = null;
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    const canonical = format.resolvedOptions().timeZone;
    const fixed = /^(UTC|GMT|Etc\/.*)$/.test(canonical) ? rawOffset(format, 0) : undefined;
    zone = zones.get(canonical) ?? {
      name: canonical,
      format,
      fixedOffset: fixed,
      blocks: new Map(),
      span: undefined,
    };
    zones.set(canonical, zone);
  } catch {
    zone = null; // RangeError: invalid time zone
  }
  zones.set(name, zone);
  return zone ?? undefined;
}

export const isKnownZone = (name: string): boolean => resolveZone(name) !== undefined;

/** Offset (ms, local − UTC) straight from Intl; `format()` is ~3× faster than `formatToParts()`. */
function rawOffset(format: Intl.DateTimeFormat, instant: number): number {
  const whole = Math.floor(instant / SECOND) * SECOND;
  // en-US, h23: "3/9/2025, 07:30:00"
  const m = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/.exec(format.format(whole));
  if (!m) throw new Error(`unexpected Intl output ${format.format(whole)}`);
  const wall = Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!, +m[4]!, +m[5]!, +m[6]!);
  return wall - whole;
}

/** First instant in (lo, hi] whose offset differs from `before`: bisection to the minute, then the second. */
function transitionIn(format: Intl.DateTimeFormat, lo: number, hi: number, before: number): number {
  const bisect = (unit: number) => {
    while (hi - lo > unit) {
      const mid = lo + Math.floor((hi - lo) / (2 * unit)) * unit;
      if (rawOffset(format, mid) === before) lo = mid;
      else hi = mid;
    }
  };
  bisect(MINUTE);
  // Since 1900 transitions fall on whole minutes; local mean time offsets before that may not.
  if (rawOffset(format, hi - SECOND) !== before) bisect(SECOND);
  return hi;
}

function buildBlock(zone: Zone, index: number): OffsetBlock {
  const start = index * BLOCK;
  const first = rawOffset(zone.format, start);
  const block: OffsetBlock = { transitions: [], offsets: [first] };
  let previous = first;
  for (let at = start + SAMPLE; at <= start + BLOCK; at += SAMPLE) {
    const offset = rawOffset(zone.format, at);
    let from = at - SAMPLE;
    // Several transitions between two samples (rare): walk them one by one.
    while (offset !== previous) {
      const transition = transitionIn(zone.format, from, at, previous);
      if (transition >= start + BLOCK) break; // belongs to the next block
      previous = rawOffset(zone.format, transition);
      block.transitions.push(transition);
      block.offsets.push(previous);
      from = transition;
    }
    previous = offset;
  }
  return block;
}

/** The zone's offset at an instant, in ms (local − UTC). */
export function offsetAt(zone: Zone, instant: number): number {
  if (zone.fixedOffset !== undefined) return zone.fixedOffset;
  const span = zone.span;
  if (span && instant >= span.from && instant < span.to) return span.offset;
  const index = Math.floor(instant / BLOCK);
  let block = zone.blocks.get(index);
  if (!block) {
    block = buildBlock(zone, index);
    zone.blocks.set(index, block);
  }
  let i = 0;
  while (i < block.transitions.length && instant >= block.transitions[i]!) i++;
  const offset = block.offsets[i]!;
  zone.span = {
    offset,
    from: i === 0 ? index * BLOCK : block.transitions[i - 1]!,
    to: i < block.transitions.length ? block.transitions[i]! : (index + 1) * BLOCK,
  };
  return offset;
}

/**
 * The zone's offsets around a floating time: every instant within a day of it reads as local − one of them
 * (min/max). Windows are widened by exactly these, not by days (a SECONDLY rule must not expand two extra days).
 */
export function offsetsNear(zone: Zone, local: number): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of [local - 2 * DAY, local - DAY, local, local + DAY, local + 2 * DAY]) {
    const offset = offsetAt(zone, t);
    min = Math.min(min, offset);
    max = Math.max(max, offset);
  }
  return { min, max };
}

/** The floating local time of an instant. */
export const instantToLocal = (instant: number, zone: Zone): number => instant + offsetAt(zone, instant);

/**
 * The instant of a floating local time, per RFC 5545 §3.3.5: a local time that occurs twice (fall back)
 * "refers to the first occurrence"; one that does not exist (spring forward) "is interpreted using the UTC
 * offset before the gap", i.e. it moves forward by the length of the gap (02:30 → 03:30 EDT).
 */
export function localToInstant(local: number, zone: Zone): number {
  if (zone.fixedOffset !== undefined) return local - zone.fixedOffset;
  // Fast path: a reading two days clear of any transition is the only one (offsets differ by < 2 days).
  const span = zone.span;
  if (span) {
    const instant = local - span.offset;
    if (instant >= span.from + 2 * DAY && instant < span.to - 2 * DAY) return instant;
  }
  // Every instant that can read as `local` lies within local ∓ 14 h, so the offsets one day either side are
  // the ones before and after any transition that matters.
  const before = offsetAt(zone, local - DAY);
  const after = offsetAt(zone, local + DAY);
  const early = local - before;
  const earlyValid = offsetAt(zone, early) === before;
  if (before === after && earlyValid) return early;
  const late = local - after;
  const lateValid = offsetAt(zone, late) === after;
  if (earlyValid && lateValid) return Math.min(early, late);
  if (earlyValid) return early;
  if (lateValid) return late;
  return early; // in the gap: the offset before it
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DDTHH:mm:ss` → floating ms; undefined when malformed or not a real date (Feb 30). */
export function parseLocalDateTime(text: string): number | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (!m) return undefined;
  return checkedUtc(+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** `YYYY-MM-DD` → floating ms at midnight; undefined when malformed or not a real date. */
export function parseLocalDate(text: string): number | undefined {
  const m = LOCAL_DATE.exec(text);
  if (!m) return undefined;
  return checkedUtc(+m[1]!, +m[2]!, +m[3]!, 0, 0, 0);
}

/** Date.UTC of the fields, or undefined when a field is out of range (Date.UTC would roll it over). */
export function checkedUtc(y: number, mo: number, d: number, h: number, mi: number, s: number) {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // RFC 5545 allows second 60 (leap second); nobody schedules on one, and JS has none.
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

// Formatting runs once per occurrence: plain arithmetic is ~5× faster than Date#toISOString + slice.
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** Days since 1970-01-01 → [year, month 1-12, day] (H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** Dates formatted recently: series in one view share their days, so most lookups hit. */
const formattedDays = new Map<number, string>();

function formatDate(ms: number): string {
  const days = Math.floor(ms / DAY);
  const cached = formattedDays.get(days);
  if (cached !== undefined) return cached;
  const [y, m, d] = civilFromDays(days);
  const year = y >= 1000 && y <= 9999 ? String(y) : String(y).padStart(4, '0');
  const text = `${year}-${TWO_DIGITS[m]}-${TWO_DIGITS[d]}`;
  if (formattedDays.size >= 20_000) formattedDays.clear();
  formattedDays.set(days, text);
  return text;
}

/** Times of day already formatted, by second of the day: a calendar's occurrences share a few. */
const formattedTimes: (string | undefined)[] = new Array(86_400);

function formatTime(ms: number): string {
  const seconds = Math.floor((ms - Math.floor(ms / DAY) * DAY) / SECOND);
  const cached = formattedTimes[seconds];
  if (cached !== undefined) return cached;
  const h = Math.floor(seconds / 3600);
  const mi = Math.floor((seconds % 3600) / 60);
  const text = `${TWO_DIGITS[h]}:${TWO_DIGITS[mi]}:${TWO_DIGITS[seconds % 60]}`;
  formattedTimes[seconds] = text;
  return text;
}

/** Floating ms → `YYYY-MM-DDTHH:mm:ss`. */
export const formatLocalDateTime = (local: number): string => `${formatDate(local)}T${formatTime(local)}`;

/** Floating ms → `YYYY-MM-DD`. */
export const formatLocalDate = (local: number): string => formatDate(local);

/** Instant → `YYYY-MM-DDTHH:mm:ssZ` (seconds precision, as RFC 5545 and Google's ids use). */
export const formatUtc = (instant: number): string => `${formatDate(instant)}T${formatTime(instant)}Z`;

/** Monday = 0 ... Sunday = 6, of a floating time (1970-01-01 was a Thursday). */
export const weekdayOf = (local: number): number => (((Math.floor(local / DAY) + 3) % 7) + 7) % 7;

/** Floating midnight of the day holding a floating time. */
export const startOfDay = (local: number): number => Math.floor(local / DAY) * DAY;

/** A generous year, for window arithmetic. */
export const YEAR_MS = 366 * DAY;
