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
