/** Small formatters shared by the ops tables. */
export const number = (value: number | null | undefined) =>
  value == null ? '—' : value.toLocaleString('en-US');

export function duration(ms: number | null | undefined): string {
  if (ms == null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const instant = (iso: string | null) => (iso ? timeFormat.format(new Date(iso)) : '—');

/** "5.2" units, or "—" before there is anything to divide. */
export const units = (value: number | null | undefined, digits: number) =>
  value == null ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits });

/** "37 %" of `of`; "—" when `of` is zero. */
export const percent = (value: number, of: number) => (of > 0 ? `${Math.round((value / of) * 100)} %` : '—');

/** "per minute" for Google's window, "per 600 ms" for a time-scaled one. */
export function windowText(windowMs: number): string {
  if (windowMs === 60_000) return 'per minute';
  return windowMs % 1000 === 0 ? `per ${windowMs / 1000} s` : `per ${windowMs} ms`;
}

/** "in 2 h 5 min", "in 12 min", "now": how long until `iso` from `now`. */
export function untilText(iso: string, now: Date): string {
  const minutes = Math.ceil((Date.parse(iso) - now.getTime()) / 60_000);
  if (minutes <= 0) return 'now';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `in ${rest} min`;
  return rest ? `in ${hours} h ${rest} min` : `in ${hours} h`;
}
