import { zoneFormats } from './calendar-dates.ts';
import type { CalendarOccurrence } from './occurrences.ts';

/** "2026-01-19 · all day", or "Mon, Jan 19, 09:00 – 10:00" in the calendar's zone. */
export function whenText(occurrence: CalendarOccurrence, zone: string): string {
  if (occurrence.allDay) {
    return occurrence.firstDay === occurrence.lastDay
      ? `${occurrence.firstDay} · all day`
      : `${occurrence.firstDay} – ${occurrence.lastDay} · all day`;
  }
  const formats = zoneFormats(zone);
  return `${formats.dateTime.format(occurrence.start)} – ${formats.time.format(occurrence.end)}`;
}

/** "every 2 weeks on MO,WE": enough to recognise the series, not a full RRULE reader. */
export function ruleSummary(recurrence: readonly string[]): string {
  const rule = recurrence.find((line) => line.startsWith('RRULE:'));
  if (!rule) return 'on set dates';
  const parts = Object.fromEntries(
    rule
      .slice(6)
      .split(';')
      .map((part) => part.split('=') as [string, string]),
  );
  const every = Number(parts.INTERVAL ?? 1);
  const unit =
    { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' }[parts.FREQ as string] ?? 'period';
  const days = parts.BYDAY ? ` on ${parts.BYDAY}` : '';
  return `every ${every > 1 ? `${every} ${unit}s` : unit}${days}`;
}
