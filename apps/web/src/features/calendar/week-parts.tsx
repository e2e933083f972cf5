import type { CSSProperties } from 'react';
import { dateRange, longDate, zoneFormats } from './calendar-dates.ts';
import { OccurrenceChip, OccurrenceMarks, occurrenceButton } from './occurrence-chip.tsx';
import { type CalendarOccurrence, type MoreMarker, moreLabel } from './occurrences.ts';
import { type AllDayBar, DAY_MINUTES, type TimedBlock } from './week-layout.ts';

export const percent = (minutes: number) => `${(minutes / DAY_MINUTES) * 100}%`;

type OnOpen = (occurrence: CalendarOccurrence, opener: HTMLElement) => void;

/** The all-day row: each bar spans its days (lanes from week-layout.ts). */
export function AllDayBars({
  bars,
  days,
  zone,
  onOpen,
}: {
  bars: readonly AllDayBar<CalendarOccurrence>[];
  days: readonly string[];
  zone: string;
  onOpen: OnOpen;
}) {
  return (
    <ul className="cal-wk-allday" aria-label="All-day events">
      <li className="cal-wk-gutter-label" aria-hidden="true">
        all day
      </li>
      {bars.map((bar) => {
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
  );
}

/** One day's column of timed blocks, its "+N more" lines and, today, the "now" line. */
export function WeekColumn(props: {
  day: string;
  blocks: readonly TimedBlock<CalendarOccurrence>[];
  more: readonly MoreMarker[] | undefined;
  zone: string;
  today: boolean;
  /** Minute of the day for the "now" line, or null when it is not on this column. */
  nowMinute: number | null;
  onOpen: OnOpen;
}) {
  const { day, blocks, zone, onOpen } = props;
  return (
    <div className={props.today ? 'cal-wk-col cal-wk-today' : 'cal-wk-col'} data-date={day}>
      <ul className="cal-wk-items" aria-label={longDate(day)}>
        {blocks.map((block) => (
          <WeekBlock key={block.occurrence.key} block={block} zone={zone} onOpen={onOpen} />
        ))}
        {props.more?.map((marker) => {
          const last = blocks.findLast((block) => block.occurrence.event.id === marker.event.id);
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
      {props.nowMinute !== null && (
        <div className="cal-wk-now" style={{ top: percent(props.nowMinute) }} aria-hidden="true" />
      )}
    </div>
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
        className={classes.join(' ')}
        data-start-minute={block.startMinute}
        {...occurrenceButton(occurrence, onOpen)}
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
