import { longDate } from './calendar-dates.ts';
import { OccurrenceChip } from './occurrence-chip.tsx';
import { type CalendarOccurrence, type MoreMarker, moreLabel } from './occurrences.ts';

/** The window's occurrences day by day (also the default on phone widths). Days without any are skipped. */
export function AgendaList({
  days,
  zone,
  occurrencesByDay,
  moreOnDay,
  onOpen,
  label,
}: {
  days: readonly string[];
  zone: string;
  occurrencesByDay: Map<string, CalendarOccurrence[]>;
  moreOnDay: Map<string, MoreMarker[]>;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
  label: string;
}) {
  const busyDays = days.filter(
    (day) => (occurrencesByDay.get(day)?.length ?? 0) > 0 || (moreOnDay.get(day)?.length ?? 0) > 0,
  );
  if (busyDays.length === 0) return <p className="muted">Nothing scheduled.</p>;
  return (
    <ol className="cal-agenda" aria-label={label}>
      {busyDays.map((day) => (
        <li key={day} className="cal-agenda-day" data-date={day}>
          <h3>{longDate(day)}</h3>
          <ul>
            {occurrencesByDay.get(day)?.map((occurrence) => (
              <li key={occurrence.key}>
                <OccurrenceChip occurrence={occurrence} zone={zone} onOpen={onOpen} />
              </li>
            ))}
            {moreOnDay.get(day)?.map((marker) => (
              <li key={marker.key} className="cal-more-note">
                {moreLabel(marker.hidden ?? 0, marker.hidden === null)}: {marker.title}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}
