/**
 * The wall-clock mapping, for callers (display, building a series from Google's RFC 3339 start).
 */
import { RecurrenceError } from './errors.ts';
import {
  formatLocalDateTime,
  instantToLocal,
  localToInstant,
  parseLocalDateTime,
  resolveZone,
  type Zone,
} from './local-time.ts';

export { isKnownZone } from './local-time.ts';

function zone(name: string): Zone {
  const resolved = resolveZone(name);
  if (!resolved) throw new RecurrenceError({ code: 'unknown_zone', reason: `'${name}' is unknown` });
  return resolved;
}

/** The local wall-clock `YYYY-MM-DDTHH:mm:ss` of an instant in an IANA zone. */
export const toLocalDateTime = (instant: Date, tzid: string): string =>
  formatLocalDateTime(instantToLocal(instant.getTime(), zone(tzid)));

/**
 * The instant of a local wall-clock `YYYY-MM-DDTHH:mm:ss` in an IANA zone (RFC 5545 §3.3.5: a nonexistent
 * time moves forward by the gap, an ambiguous one is the first).
 */
export function toInstant(local: string, tzid: string): Date {
  const floating = parseLocalDateTime(local);
  if (floating === undefined)
    throw new RecurrenceError({ code: 'invalid_series', reason: `'${local}' is not YYYY-MM-DDTHH:mm:ss` });
  return new Date(localToInstant(floating, zone(tzid)));
}
