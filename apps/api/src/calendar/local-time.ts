/** Wall-clock time of an instant in an IANA zone, `YYYY-MM-DDTHH:mm:ss`, through Intl (cached per zone). */
const formatters = new Map<string, Intl.DateTimeFormat>();

export function localWallClock(instant: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

export function isKnownZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** The original-start key of an occurrence: `YYYY-MM-DDTHH:mm:ssZ` (UTC, no millis) or the date itself. */
export function originalStartKey(time: { dateTime?: string | null; date?: string | null }): string | null {
  if (time.date) return time.date;
  if (!time.dateTime) return null;
  const instant = new Date(time.dateTime);
  return Number.isNaN(instant.getTime()) ? null : `${instant.toISOString().slice(0, 19)}Z`;
}

/** Google's instance id suffix for an original start: `20250916T150000Z`, or `20250916` for all-day. */
export function instanceSuffix(key: string): string {
  return key.replaceAll('-', '').replaceAll(':', '');
}
