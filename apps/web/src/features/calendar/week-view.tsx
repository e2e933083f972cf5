import { type CSSProperties, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { dateRange, longDate, todayIn, weekdayName, zoneFormats } from './calendar-dates.ts';
import { OccurrenceChip, OccurrenceMarks } from './occurrence-chip.tsx';
import { type CalendarOccurrence, type MoreMarker, moreLabel } from './occurrences.ts';
import { DAY_MINUTES, layoutWeek, type TimedBlock, wallClock } from './week-layout.ts';

/** Where the grid opens when the week has nothing earlier: the start of a working day. */
const DEFAULT_SCROLL_MINUTE = 7 * 60;
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
// Hour labels in the same 12/24-hour style as the occurrences' times (the locale's), zone-free.
const hourFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

const percent = (minutes: number) => `${(minutes / DAY_MINUTES) * 100}%`;

/**
 * A week as a time grid, written here rather than taken from a calendar library for the month grid's reasons
 * (size, and a second zone model next to packages/recurrence): all-day bars on top, then 24 hour rows in a
 * fixed-height scroller, each timed occurrence absolutely placed by the pure layout in week-layout.ts. Every
 * occurrence is a button, in tab order day by day and in time order within a day.
 */
export function WeekView({
  days,
  zone,
  occurrencesByDay,
  moreOnDay,
  ready,
  onOpen,
}: {
  days: readonly string[];
  zone: string;
  occurrencesByDay: Map<string, CalendarOccurrence[]>;
  /** A dense series' occurrences not drawn on a day: a "+N more" line under its last block that day. */
  moreOnDay: Map<string, MoreMarker[]>;
  /** The week's data has arrived (the initial scroll then moves to the first event if it is early). */
  ready: boolean;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
}) {
  const layout = useMemo(() => layoutWeek(days, occurrencesByDay, zone), [days, occurrencesByDay, zone]);
  const now = useMinuteClock();
  const today = todayIn(zone);
  const nowClock = wallClock(now, zone);
  const scroller = useRef<HTMLElement>(null);

  // Scroll once when a week is shown and once more when its data arrives, never on later edits (a moved
  // occurrence must not yank the grid away from where the user is looking).
  const scrolledFor = useRef('');
  const scrollKey = `${days[0]}/${zone}/${ready}`;
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || scrolledFor.current === scrollKey) return;
    scrolledFor.current = scrollKey;
    const minute = Math.min(DEFAULT_SCROLL_MINUTE, layout.earliestMinute ?? DEFAULT_SCROLL_MINUTE);
    const body = element.firstElementChild as HTMLElement | null;
    element.scrollTop = Math.round((Math.max(0, minute - 30) / DAY_MINUTES) * (body?.offsetHeight ?? 0));
  }, [scrollKey, layout.earliestMinute]);

  return (
    <section className="cal-wk" aria-label={`Week of ${longDate(days[0]!)}`}>
      <div className="cal-wk-head" aria-hidden="true">
        <span />
        {days.map((day) => (
          <span key={day} className={day === today ? 'cal-wk-dayname cal-day-today' : 'cal-wk-dayname'}>
            {weekdayName(day, 'short')} <span className="cal-wk-daynum">{Number(day.slice(8))}</span>
          </span>
        ))}
      </div>
      <ul className="cal-wk-allday" aria-label="All-day events">
        <li className="cal-wk-gutter-label" aria-hidden="true">
          all day
        </li>
        {layout.allDay.map((bar) => {
          const classes = ['cal-wk-bar'];
          if (bar.continuesBefore) classes.push('cal-wk-bar-from-before');
          if (bar.continuesAfter) classes.push('cal-wk-bar-into-after');
          return (
            <li
              key={bar.occurrence.key}
              className={classes.join(' ')}
              data-date={days[bar.firstColumn]}
              style={{ gridColumn: `${bar.firstColumn + 2} / span ${bar.span}`, gridRow: bar.lane + 1 }}
            >
              {/* The day header is aria-hidden (the columns are named lists below), so the bar names its days:
                  the whole range, which also says when it runs on beyond this week. */}
              <OccurrenceChip
                occurrence={bar.occurrence}
                zone={zone}
                onOpen={onOpen}
                dateRange={dateRange(bar.occurrence.firstDay, bar.occurrence.lastDay)}
                continuesBefore={bar.continuesBefore}
                continuesAfter={bar.continuesAfter}
              />
            </li>
          );
        })}
      </ul>
      <section
        ref={scroller}
        className="cal-wk-scroll"
        aria-label="Timed events by hour"
        // Focusable so the hours scroll by keyboard in a week without events (axe: scrollable-region-focusable).
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll container must be reachable by keyboard.
        tabIndex={0}
      >
        <div className="cal-wk-body">
          <div className="cal-wk-hours" aria-hidden="true">
            {HOURS.map((hour) => (
              <span key={hour} className="cal-wk-hour" data-hour={hour} style={{ top: percent(hour * 60) }}>
                {hour === 0 ? '' : hourFormat.format(Date.UTC(2000, 0, 1, hour))}
              </span>
            ))}
          </div>
          {days.map((day, index) => (
            <div
              key={day}
              className={day === today ? 'cal-wk-col cal-wk-today' : 'cal-wk-col'}
              data-date={day}
            >
              <ul className="cal-wk-items" aria-label={longDate(day)}>
                {layout.timed[index]?.map((block) => (
                  <WeekBlock key={block.occurrence.key} block={block} zone={zone} onOpen={onOpen} />
                ))}
                {moreOnDay.get(day)?.map((marker) => {
                  const last = layout.timed[index]?.findLast(
                    (block) => block.occurrence.event.id === marker.event.id,
                  );
                  return (
                    <li
                      key={marker.key}
                      className="cal-wk-item cal-wk-more"
                      style={{ top: percent(last?.bottom ?? 0), left: 0, width: '100%' }}
                    >
                      {moreLabel(marker.hidden ?? 0, marker.hidden === null)}: {marker.title}
                    </li>
                  );
                })}
              </ul>
              {day === today && nowClock.date === day && (
                <div className="cal-wk-now" style={{ top: percent(nowClock.minute) }} aria-hidden="true" />
              )}
            </div>
          ))}
        </div>
      </section>
    </section>
  );
}

/** One timed occurrence's part of a day; its name reads "09:00 – 10:00 Title" (OccurrenceChip's behaviour). */
function WeekBlock({
  block,
  zone,
  onOpen,
}: {
  block: TimedBlock<CalendarOccurrence>;
  zone: string;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
}) {
  const { occurrence } = block;
  const time = zoneFormats(zone).time;
  const style: CSSProperties = {
    top: percent(block.top),
    height: percent(block.bottom - block.top),
    left: `${(block.column / block.columns) * 100}%`,
    width: `${100 / block.columns}%`,
  };
  const classes = ['cal-wk-block'];
  if (block.bottom - block.top < 45) classes.push('cal-wk-block-short');
  if (block.continuesBefore) classes.push('cal-wk-block-from-before');
  if (block.continuesAfter) classes.push('cal-wk-block-into-after');
  return (
    <li className="cal-wk-item" style={style}>
      <button
        type="button"
        className={classes.join(' ')}
        data-testid="occurrence"
        data-event-id={occurrence.event.id}
        data-original-start={occurrence.originalStart ?? ''}
        data-start-minute={block.startMinute}
        onClick={(click) => onOpen(occurrence, click.currentTarget)}
      >
        <span className="cal-wk-time">
          <time dateTime={occurrence.start.toISOString()}>{time.format(occurrence.start)}</time>
          {' – '}
          <time dateTime={occurrence.end.toISOString()}>{time.format(occurrence.end)}</time>{' '}
        </span>
        <span className="cal-wk-title">{occurrence.title}</span>
        {block.continuesBefore && <span className="visually-hidden"> (continued from the day before)</span>}
        {block.continuesAfter && <span className="visually-hidden"> (continues the next day)</span>}
        <OccurrenceMarks occurrence={occurrence} />
      </button>
    </li>
  );
}

/** The current time, updated each minute for the "now" line. */
function useMinuteClock(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}
