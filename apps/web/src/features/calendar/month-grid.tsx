import { longDate, todayIn, weekdayName } from './calendar-dates.ts';
import { OccurrenceChip } from './occurrence-chip.tsx';
import { type CalendarOccurrence, type MoreMarker, moreLabel } from './occurrences.ts';

/**
 * A day cell draws at most MONTH_CELL_CHIPS chips; with more (events, or a dense series' "+ more"), the first
 * MONTH_CELL_CHIPS - 1 and a "+N more" button that opens the day in the week view. The cell keeps its fixed
 * height (no layout shift) and still scrolls where the chips do not fit (phone widths).
 */
export const MONTH_CELL_CHIPS = 4;

/**
 * A dense series' chips go after the day's other events (each group in time order): a SECONDLY rule starting at
 * midnight would otherwise fill the cell and push every ordinary event behind "+N more".
 */
function ordinaryFirst(items: readonly CalendarOccurrence[]): CalendarOccurrence[] {
  const dense = (occurrence: CalendarOccurrence) => occurrence.warning?.kind === 'too_frequent';
  return [...items.filter((o) => !dense(o)), ...items.filter(dense)];
}

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
  moreOnDay,
  onOpen,
  onShowDay,
}: {
  days: readonly string[];
  /** `YYYY-MM` of the month shown: days outside it are dimmed. */
  month: string;
  zone: string;
  occurrencesByDay: Map<string, CalendarOccurrence[]>;
  /** Occurrences of dense series not drawn on a day (occurrences.ts, SERIES_DAY_LIMIT). */
  moreOnDay: Map<string, MoreMarker[]>;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
  /** "+N more": the day in the week view. */
  onShowDay: (day: string) => void;
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
              const all = ordinaryFirst(occurrencesByDay.get(day) ?? []);
              const markers = moreOnDay.get(day) ?? [];
              const overflowing = all.length > MONTH_CELL_CHIPS || markers.length > 0;
              const items = overflowing ? all.slice(0, MONTH_CELL_CHIPS - 1) : all;
              const hidden =
                all.length - items.length + markers.reduce((n, marker) => n + (marker.hidden ?? 0), 0);
              const uncounted = markers.some((marker) => marker.hidden === null);
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
                    {overflowing && (
                      <button
                        type="button"
                        className="cal-more"
                        data-testid="more"
                        onClick={() => onShowDay(day)}
                      >
                        {moreLabel(hidden, uncounted)}
                        <span className="visually-hidden"> on {longDate(day)}, show the week</span>
                      </button>
                    )}
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
