import { longDate, todayIn, weekdayName } from './calendar-dates.ts';
import { OccurrenceChip } from './occurrence-chip.tsx';
import type { CalendarOccurrence } from './occurrences.ts';

/**
 * The month as a plain <table> written here rather than FullCalendar or Schedule-X: those add 60–150 kB
 * gzipped and their own zone handling, while we already expand series in the chosen zone with
 * packages/recurrence. A table gives screen readers row/column headers for free, the 6 fixed-height rows never
 * change size when data arrives (no layout shift), and every event is a button in tab order.
 */
export function MonthGrid({
  days,
  month,
  zone,
  occurrencesByDay,
  onOpen,
}: {
  days: readonly string[];
  /** `YYYY-MM` of the month shown: days outside it are dimmed. */
  month: string;
  zone: string;
  occurrencesByDay: Map<string, CalendarOccurrence[]>;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
}) {
  const today = todayIn(zone);
  const weekdays = days.slice(0, 7).map((day) => ({
    short: weekdayName(day, 'short'),
    long: weekdayName(day, 'long'),
  }));
  const weeks = Array.from({ length: days.length / 7 }, (_, i) => days.slice(i * 7, i * 7 + 7));
  return (
    <table className="cal-month" aria-label="Month">
      <thead>
        <tr>
          {weekdays.map((weekday) => (
            <th key={weekday.long} scope="col" abbr={weekday.long}>
              {weekday.short}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((week) => (
          <tr key={week[0]}>
            {week.map((day) => {
              const items = occurrencesByDay.get(day) ?? [];
              const classes = ['cal-day'];
              if (!day.startsWith(month)) classes.push('cal-day-outside');
              if (day === today) classes.push('cal-day-today');
              return (
                <td key={day} className={classes.join(' ')} data-date={day}>
                  <span className="cal-day-number">
                    <span aria-hidden="true">{Number(day.slice(8))}</span>
                    <span className="visually-hidden">{longDate(day)}</span>
                  </span>
                  <div className="cal-day-items">
                    {items.map((occurrence) => (
                      <OccurrenceChip
                        key={occurrence.key}
                        occurrence={occurrence}
                        zone={zone}
                        onOpen={onOpen}
                      />
                    ))}
                  </div>
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
