import { type RefObject, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { longDate, todayIn, weekdayName } from './calendar-dates.ts';
import type { CalendarOccurrence, MoreMarker } from './occurrences.ts';
import { DAY_MINUTES, layoutWeek, wallClock } from './week-layout.ts';
import { AllDayBars, percent, WeekColumn } from './week-parts.tsx';

/** Where the grid opens when the week has nothing earlier: the start of a working day. */
const DEFAULT_SCROLL_MINUTE = 7 * 60;
const HOURS = Array.from({ length: 24 }, (_, hour) => hour);
// Hour labels in the same 12/24-hour style as the occurrences' times (the locale's), zone-free.
const hourFormat = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

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

  useInitialScroll(scroller, `${days[0]}/${zone}/${ready}`, layout.earliestMinute);

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
      <AllDayBars bars={layout.allDay} days={days} zone={zone} onOpen={onOpen} />
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
            <WeekColumn
              key={day}
              day={day}
              blocks={layout.timed[index] ?? []}
              more={moreOnDay.get(day)}
              zone={zone}
              nowMinute={day === today && nowClock.date === day ? nowClock.minute : null}
              today={day === today}
              onOpen={onOpen}
            />
          ))}
        </div>
      </section>
    </section>
  );
}

/**
 * Scroll once when a week is shown and once more when its data arrives, never on later edits (a moved
 * occurrence must not yank the grid away from where the user is looking).
 */
function useInitialScroll(
  scroller: RefObject<HTMLElement | null>,
  scrollKey: string,
  earliest: number | null,
) {
  const scrolledFor = useRef('');
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || scrolledFor.current === scrollKey) return;
    scrolledFor.current = scrollKey;
    const minute = Math.min(DEFAULT_SCROLL_MINUTE, earliest ?? DEFAULT_SCROLL_MINUTE);
    const body = element.firstElementChild as HTMLElement | null;
    element.scrollTop = Math.round((Math.max(0, minute - 30) / DAY_MINUTES) * (body?.offsetHeight ?? 0));
  }, [scroller, scrollKey, earliest]);
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
