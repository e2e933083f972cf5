import type { CalendarEventDto } from '@firstlight/contracts';
import { useCallback, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useRequireSignIn } from '../../lib/use-me.ts';
import { AgendaList } from './agenda-list.tsx';
import { addDays, dayStart, monthGrid, weekDays } from './calendar-dates.ts';
import { CalendarToolbar, type CalendarView } from './calendar-toolbar.tsx';
import { MonthGrid } from './month-grid.tsx';
import { OccurrenceDialog } from './occurrence-dialog.tsx';
import { byDay, type CalendarOccurrence, moreByDay, occurrencesIn } from './occurrences.ts';
import { useCalendarWindow } from './use-calendar.ts';
import { useCalendarEdits } from './use-calendar-edits.ts';
import { useCalendarParams } from './use-calendar-params.ts';
import { WeekView } from './week-view.tsx';
import './calendar.css';
import './week-view.css';

/** `/calendar`: month, week and agenda views of the signed-in user's calendars. */
export function CalendarPage() {
  useRequireSignIn();
  const navigate = useNavigate();
  const { zone, deviceZone, today, anchor, view, update, navigation } = useCalendarParams();
  const grid = useMemo(() => monthGrid(anchor), [anchor]);
  const onUnauthorized = useCallback(() => navigate('/', { replace: true }), [navigate]);
  const calendar = useCalendarWindow(grid[0]!, grid[grid.length - 1]!, onUnauthorized);
  const edits = useCalendarEdits();
  const [dismissed, setDismissed] = useState<string | null>(null);
  const message = edits.message ?? (calendar.loadError !== dismissed ? calendar.loadError : null);

  const { shownDays, occurrencesByDay, moreOnDay } = useShownOccurrences(
    view,
    anchor,
    grid,
    calendar.events,
    zone,
  );

  const [open, setOpen] = useState<{ occurrence: CalendarOccurrence; opener: HTMLElement } | null>(null);
  const onOpen = useCallback(
    (occurrence: CalendarOccurrence, opener: HTMLElement) => setOpen({ occurrence, opener }),
    [],
  );
  const heading = headingOf(view, anchor, shownDays);
  const shared = { zone, occurrencesByDay, moreOnDay, onOpen };

  return (
    <main className="page cal-page">
      <h1 className="page-title">Calendar</h1>
      <CalendarToolbar
        anchor={anchor}
        todayYear={Number(today.slice(0, 4))}
        view={view}
        zone={zone}
        browserZone={deviceZone}
        {...navigation}
      />
      <h2 className="cal-heading" aria-live="polite" data-testid="calendar-heading">
        {heading}
      </h2>
      <p className="cal-status" role="status">
        {calendar.loadState === 'loading' ? 'Loading…' : ''}
      </p>
      {message && (
        <div role="alert" className="bad cal-message">
          {message}{' '}
          <button
            type="button"
            className="button"
            onClick={() => (edits.message ? edits.dismissMessage() : setDismissed(calendar.loadError))}
          >
            Dismiss
          </button>
        </div>
      )}
      {view === 'month' && (
        <MonthGrid
          days={grid}
          month={anchor.slice(0, 7)}
          {...shared}
          onShowDay={(day) => update({ date: day, view: 'week' })}
        />
      )}
      {view === 'week' && <WeekView days={shownDays} ready={calendar.loadState === 'ready'} {...shared} />}
      {view === 'agenda' && <AgendaList days={shownDays} label={`Agenda for ${heading}`} {...shared} />}
      {open && (
        <OccurrenceDialog
          occurrence={open.occurrence}
          zone={zone}
          opener={open.opener}
          onClose={() => setOpen(null)}
          onCancelOccurrence={(occurrence) => void edits.cancel(occurrence)}
          onChangeOccurrence={(occurrence, patch) => void edits.change(occurrence, patch)}
          onDeleteSeries={(occurrence) => void edits.remove(occurrence)}
        />
      )}
    </main>
  );
}

/** The days the view shows and their occurrences, expanded in the chosen zone. */
function useShownOccurrences(
  view: CalendarView,
  anchor: string,
  grid: string[],
  events: readonly CalendarEventDto[],
  zone: string,
) {
  const shownDays = useMemo(() => {
    if (view === 'week') return weekDays(anchor);
    if (view === 'agenda') return grid.filter((day) => day.slice(0, 7) === anchor.slice(0, 7));
    return grid;
  }, [view, anchor, grid]);
  // Expanded on the main thread under bounded work (occurrences.ts: each series on its own budget, dense ones
  // day by day on one shared budget per render); bench/expansion measures a hostile month grid.
  const { occurrencesByDay, moreOnDay } = useMemo(() => {
    const from = dayStart(shownDays[0]!, zone);
    const to = dayStart(addDays(shownDays[shownDays.length - 1]!, 1), zone);
    const { occurrences, more } = occurrencesIn(events, from, to, zone);
    return { occurrencesByDay: byDay(occurrences, shownDays), moreOnDay: moreByDay(more) };
  }, [events, shownDays, zone]);
  return { shownDays, occurrencesByDay, moreOnDay };
}

function headingOf(view: CalendarView, anchor: string, shownDays: string[]): string {
  if (view === 'week') {
    const first = new Date(`${shownDays[0]}T12:00:00Z`);
    return `Week of ${first.toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' })}`;
  }
  return new Date(`${anchor.slice(0, 7)}-15T12:00:00Z`).toLocaleDateString(undefined, {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
