/**
 * The identity of an occurrence within its series: its original start, before any override moved it.
 *
 * Key format (what `Occurrence.originalStart` holds and what `exceptions.cancelled` / `overrides` are keyed
 * by): a timed occurrence → its UTC instant `YYYY-MM-DDTHH:mm:ssZ` (seconds, no milliseconds); an all-day
 * occurrence → its date `YYYY-MM-DD`. Instants make keys independent of the zone and of DST (Google's
 * instance ids are built the same way: `{eventId}_{YYYYMMDDTHHMMSSZ}`, `{eventId}_{YYYYMMDD}` all-day).
 * Exception keys are normalised when a series is compiled, so any RFC 3339 form matches.
 */
import { parseIcalDateValue } from './ical-values.ts';
import { formatLocalDate, formatUtc, parseLocalDate } from './local-time.ts';

export type ParsedOriginalStart = { allDay: false; instant: Date } | { allDay: true; date: string };

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** The key of a timed occurrence starting at `instant`. */
export const originalStartKey = (instant: Date | number): string =>
  formatUtc(typeof instant === 'number' ? instant : instant.getTime());

/**
 * Reads a key in any of the forms met in practice: `YYYY-MM-DD`, `YYYYMMDD`, `YYYYMMDDTHHMMSSZ`, or an
 * RFC 3339 date-time with `Z` or an offset (Google's `originalStartTime.dateTime`). Undefined otherwise.
 */
export function parseOriginalStart(text: string): ParsedOriginalStart | undefined {
  const date = parseLocalDate(text);
  if (date !== undefined) return { allDay: true, date: text };
  if (RFC3339.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : { allDay: false, instant: new Date(ms) };
  }
  const ical = parseIcalDateValue(text);
  if (ical?.kind === 'date') return { allDay: true, date: formatLocalDate(ical.local) };
  if (ical?.kind === 'utc') return { allDay: false, instant: new Date(ical.instant) };
  return undefined;
}

/** The canonical key for any accepted form, or undefined. */
export function normalizeOriginalStart(text: string): string | undefined {
  const parsed = parseOriginalStart(text);
  if (!parsed) return undefined;
  return parsed.allDay ? parsed.date : originalStartKey(parsed.instant);
}

/** The key of a Google instance's `originalStartTime` (`{ dateTime }` or `{ date }`). */
export function originalStartFromGoogle(time: { dateTime?: string | null; date?: string | null }) {
  return normalizeOriginalStart(time.date ?? time.dateTime ?? '');
}

/** Google's id of one instance of a series: `{eventId}_{YYYYMMDDTHHMMSSZ}` or `{eventId}_{YYYYMMDD}`. */
export function googleInstanceId(eventId: string, originalStart: string): string | undefined {
  const key = normalizeOriginalStart(originalStart);
  return key === undefined ? undefined : `${eventId}_${key.replace(/[-:]/g, '')}`;
}
