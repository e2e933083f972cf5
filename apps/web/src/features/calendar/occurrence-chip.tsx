import type { MouseEvent } from 'react';
import { zoneFormats } from './calendar-dates.ts';
import type { CalendarOccurrence } from './occurrences.ts';

/** What every occurrence button carries: the e2e tests' hooks (event and original start) and the open action. */
export function occurrenceButton(
  occurrence: CalendarOccurrence,
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void,
) {
  return {
    type: 'button',
    'data-testid': 'occurrence',
    'data-event-id': occurrence.event.id,
    'data-original-start': occurrence.originalStart ?? '',
    onClick: (click: MouseEvent<HTMLButtonElement>) => onOpen(occurrence, click.currentTarget),
  } as const;
}

/** One occurrence as a keyboard-reachable button; all-day ones render as bars at the top of a day. */
export function OccurrenceChip({
  occurrence,
  zone,
  onOpen,
  dateRange,
  continuesBefore = false,
  continuesAfter = false,
}: {
  occurrence: CalendarOccurrence;
  zone: string;
  onOpen: (occurrence: CalendarOccurrence, opener: HTMLElement) => void;
  /**
   * The days it covers, spoken after the title: where the chip sits under an aria-hidden day header (the week's
   * all-day bars), its name would otherwise carry no date.
   */
  dateRange?: string;
  /** Drawn cut off on that side with an arrow: the bar goes on beyond the days shown. */
  continuesBefore?: boolean;
  continuesAfter?: boolean;
}) {
  const time = occurrence.allDay ? 'All day' : zoneFormats(zone).time.format(occurrence.start);
  const classes = ['cal-chip'];
  if (occurrence.allDay) classes.push('cal-chip-allday');
  if (continuesBefore) classes.push('cal-chip-from-before');
  if (continuesAfter) classes.push('cal-chip-into-after');
  return (
    <button className={classes.join(' ')} {...occurrenceButton(occurrence, onOpen)}>
      {continuesBefore && (
        <span className="cal-chip-continues" aria-hidden="true">
          ◀{' '}
        </span>
      )}
      {!occurrence.allDay && (
        <time className="cal-chip-time" dateTime={occurrence.start.toISOString()}>
          {time}
        </time>
      )}
      {occurrence.allDay && <span className="visually-hidden">All day: </span>}
      <span className="cal-chip-title">{occurrence.title}</span>
      {dateRange && <span className="visually-hidden">, {dateRange}</span>}
      <OccurrenceMarks occurrence={occurrence} />
      {continuesAfter && (
        <span className="cal-chip-continues cal-chip-continues-after" aria-hidden="true">
          {' '}
          ▶
        </span>
      )}
    </button>
  );
}

/**
 * The marks after an occurrence's title: a red ⚠ when the rule could not be read (first occurrence only), a
 * muted ⋯ when the series repeats too often to show every occurrence, a muted * for a rule RFC 5545 forbids that
 * is expanded as other calendar software does (the reason in the tooltip only: it is for the curious).
 */
export function OccurrenceMarks({ occurrence }: { occurrence: CalendarOccurrence }) {
  const { warning, notes } = occurrence;
  return (
    <>
      {warning?.kind === 'unreadable' && (
        <span className="cal-warning" title={`Only the first occurrence is shown: ${warning.reason}`}>
          <span aria-hidden="true"> ⚠</span>
          <span className="visually-hidden"> (repeat rule unreadable, first occurrence only)</span>
        </span>
      )}
      {warning?.kind === 'too_frequent' && (
        <span className="cal-note" data-testid="too-frequent" title={`This series ${warning.reason}`}>
          <span aria-hidden="true"> ⋯</span>
          <span className="visually-hidden"> ({warning.reason})</span>
        </span>
      )}
      {notes.length > 0 && (
        <span
          className="cal-note"
          title={`Unusual repeat rule, shown as other calendar apps show it: ${notes.join('; ')}`}
        >
          <span aria-hidden="true">*</span>
          <span className="visually-hidden"> (unusual repeat rule)</span>
        </span>
      )}
    </>
  );
}
