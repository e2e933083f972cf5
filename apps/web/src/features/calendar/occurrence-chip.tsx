import { zoneFormats } from './calendar-dates.ts';
import type { CalendarOccurrence } from './occurrences.ts';

/** One occurrence as a keyboard-reachable button; all-day ones render as bars at the top of a day. */
export function OccurrenceChip({
  occurrence,
  zone,
  onOpen,
}: {
  occurrence: CalendarOccurrence;
  zone: string;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
}) {
  const time = occurrence.allDay ? 'All day' : zoneFormats(zone).time.format(occurrence.start);
  return (
    <button
      type="button"
      className={occurrence.allDay ? 'cal-chip cal-chip-allday' : 'cal-chip'}
      data-testid="occurrence"
      data-event-id={occurrence.event.id}
      data-original-start={occurrence.originalStart ?? ''}
      onClick={(click) => onOpen(occurrence, click.currentTarget)}
    >
      {!occurrence.allDay && (
        <time className="cal-chip-time" dateTime={occurrence.start.toISOString()}>
          {time}
        </time>
      )}
      {occurrence.allDay && <span className="visually-hidden">All day: </span>}
      <span className="cal-chip-title">{occurrence.title}</span>
      {occurrence.warning && (
        <span className="cal-warning" title={`Only the first occurrence is shown: ${occurrence.warning}`}>
          <span aria-hidden="true"> ⚠</span>
          <span className="visually-hidden"> (repeat rule unreadable, first occurrence only)</span>
        </span>
      )}
    </button>
  );
}
