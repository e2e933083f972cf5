import { longDate, todayIn, weekdayName } from './calendar-dates.ts';
import { OccurrenceChip } from './occurrence-chip.tsx';
import { type CalendarOccurrence, type MoreMarker, moreLabel } from './occurrences.ts';

/**
 * In a day cell a dense series (occurrences.ts: more than SERIES_DAY_LIMIT a day, or past the budget) draws at
 * most MONTH_DENSE_CHIPS chips, after the day's ordinary events; what it does not draw is one "+N more" button
 * per cell that opens the day in the week view. Ordinary events are all drawn, the cell scrolling inside its
 * fixed height as before (a "+N more" for every busy cell is issue 20's).
 */
export const MONTH_DENSE_CHIPS = 2;

/**
 * A dense series' chips go after the day's other events (each group in time order): a SECONDLY rule starting at
 * midnight would otherwise fill the visible part of the cell and push every ordinary event out of sight.
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
            {week.map((day) => (
              <MonthDay
                key={day}
                day={day}
                outside={!day.startsWith(month)}
                today={day === today}
                occurrences={occurrencesByDay.get(day) ?? []}
                markers={moreOnDay.get(day) ?? []}
                zone={zone}
                onOpen={onOpen}
                onShowDay={onShowDay}
              />
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A day cell: its ordinary events, at most MONTH_DENSE_CHIPS chips of each dense series, and "+N more". */
function MonthDay(props: {
  day: string;
  outside: boolean;
  today: boolean;
  occurrences: readonly CalendarOccurrence[];
  markers: readonly MoreMarker[];
  zone: string;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
  onShowDay: (day: string) => void;
}) {
  const { day, markers } = props;
  const all = ordinaryFirst(props.occurrences);
  const shownOf = new Map<string, number>();
  const items = all.filter((occurrence) => {
    if (occurrence.warning?.kind !== 'too_frequent') return true;
    const n = (shownOf.get(occurrence.event.id) ?? 0) + 1;
    shownOf.set(occurrence.event.id, n);
    return n <= MONTH_DENSE_CHIPS;
  });
  const hidden = all.length - items.length + markers.reduce((n, marker) => n + (marker.hidden ?? 0), 0);
  const overflowing = hidden > 0 || markers.length > 0;
  const uncounted = markers.some((marker) => marker.hidden === null);
  const classes = ['cal-day'];
  if (props.outside) classes.push('cal-day-outside');
  if (props.today) classes.push('cal-day-today');
  return (
    <td className={classes.join(' ')} data-date={day}>
      <span className="cal-day-number">
        <span aria-hidden="true">{Number(day.slice(8))}</span>
        <span className="visually-hidden">{longDate(day)}</span>
      </span>
      <div className="cal-day-items">
        {items.map((occurrence) => (
          <OccurrenceChip
            key={occurrence.key}
            occurrence={occurrence}
            zone={props.zone}
            onOpen={props.onOpen}
          />
        ))}
        {overflowing && (
          <button type="button" className="cal-more" data-testid="more" onClick={() => props.onShowDay(day)}>
            {moreLabel(hidden, uncounted)}
            <span className="visually-hidden"> on {longDate(day)}, show the week</span>
          </button>
        )}
      </div>
    </td>
  );
}
