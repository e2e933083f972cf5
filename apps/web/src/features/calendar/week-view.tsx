import { todayIn } from './calendar-dates.ts';
import { longDate, weekdayName } from './month-grid.tsx';
import { OccurrenceChip } from './occurrence-chip.tsx';
import type { CalendarOccurrence } from './occurrences.ts';

/** A week as seven columns of the day's occurrences in time order (all-day bars first). */
export function WeekView({
  days,
  zone,
  occurrencesByDay,
  onOpen,
}: {
  days: readonly string[];
  zone: string;
  occurrencesByDay: Map<string, CalendarOccurrence[]>;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
}) {
  const today = todayIn(zone);
  return (
    <table className="cal-week" aria-label="Week">
      <thead>
        <tr>
          {days.map((day) => (
            <th
              key={day}
              scope="col"
              abbr={longDate(day)}
              className={day === today ? 'cal-day-today' : undefined}
            >
              {weekdayName(day, 'short')} {Number(day.slice(8))}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          {days.map((day) => (
            <td key={day} className="cal-week-day" data-date={day}>
              {occurrencesByDay.get(day)?.map((occurrence) => (
                <OccurrenceChip key={occurrence.key} occurrence={occurrence} zone={zone} onOpen={onOpen} />
              ))}
            </td>
          ))}
        </tr>
      </tbody>
    </table>
  );
}
