import { isKnownZone } from '@firstlight/recurrence';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useRealtime } from '../../lib/realtime.ts';
import { AgendaList } from './agenda-list.tsx';
import {
  addDays,
  browserZone,
  dayStart,
  monthGrid,
  monthStart,
  shiftMonth,
  todayIn,
  weekDays,
} from './calendar-dates.ts';
import { CalendarToolbar, type CalendarView } from './calendar-toolbar.tsx';
import { MonthGrid } from './month-grid.tsx';
import { OccurrenceDialog } from './occurrence-dialog.tsx';
import { byDay, type CalendarOccurrence, moreByDay, occurrencesIn } from './occurrences.ts';
import { useCalendarWindow } from './use-calendar.ts';
import { WeekView } from './week-view.tsx';

const VIEWS: readonly CalendarView[] = ['month', 'week', 'agenda'];

/**
 * `/calendar`: month, week and agenda views of the signed-in user's calendars. The shown date, view and zone
 * live in the URL (`?date=2026-11-25&view=month&zone=Europe/Berlin`) so a reload or a shared link keeps them.
 */
export function CalendarPage() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const deviceZone = useMemo(browserZone, []);
  const zoneParam = params.get('zone');
  const zone = zoneParam && isKnownZone(zoneParam) ? zoneParam : deviceZone;
  const today = todayIn(zone);
  const dateParam = params.get('date');
  const anchor = dateParam && /^\d{4}-\d{2}-\d{2}$/.test(dateParam) ? dateParam : today;
  const viewParam = params.get('view') as CalendarView | null;
  const narrow = typeof window !== 'undefined' && window.matchMedia('(max-width: 600px)').matches;
  const view: CalendarView = viewParam && VIEWS.includes(viewParam) ? viewParam : narrow ? 'agenda' : 'month';

  // From the live URL, not the rendered params: quick successive changes (year, then zone) would otherwise
  // each start from the same stale render and the later one would drop the earlier.
  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes)) next.set(key, value);
    setParams(next);
  };

  const grid = useMemo(() => monthGrid(anchor), [anchor]);
  const onUnauthorized = useCallback(() => navigate('/', { replace: true }), [navigate]);
  const calendar = useCalendarWindow(grid[0]!, grid[grid.length - 1]!, onUnauthorized);
  const connection = useRealtime(calendar.onMessage);
  useEffect(() => {
    if (connection === 'signed_out') onUnauthorized();
  }, [connection, onUnauthorized]);

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
    const { occurrences, more } = occurrencesIn(calendar.events, from, to, zone);
    return { occurrencesByDay: byDay(occurrences, shownDays), moreOnDay: moreByDay(more) };
  }, [calendar.events, shownDays, zone]);

  const [open, setOpen] = useState<{ occurrence: CalendarOccurrence; opener: HTMLElement } | null>(null);
  const onOpen = useCallback(
    (occurrence: CalendarOccurrence, opener: HTMLElement) => setOpen({ occurrence, opener }),
    [],
  );

  const heading =
    view === 'week'
      ? `Week of ${new Date(`${shownDays[0]}T12:00:00Z`).toLocaleDateString(undefined, { dateStyle: 'medium', timeZone: 'UTC' })}`
      : new Date(`${anchor.slice(0, 7)}-15T12:00:00Z`).toLocaleDateString(undefined, {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        });

  return (
    <main className="page cal-page">
      <header className="topbar">
        <h1>Calendar</h1>
        <Link className="button" to="/inbox">
          Inbox
        </Link>
      </header>
      <CalendarToolbar
        anchor={anchor}
        todayYear={Number(today.slice(0, 4))}
        view={view}
        zone={zone}
        browserZone={deviceZone}
        onMove={(months) =>
          update({
            date:
              view === 'week' && Math.abs(months) === 1
                ? addDays(anchor, 7 * months)
                : clampDay(shiftMonth(anchor, months), anchor),
          })
        }
        onPick={(year, month) => update({ date: clampDay(monthStart(year, month), anchor) })}
        onToday={() => update({ date: today })}
        onView={(next) => update({ view: next })}
        onZone={(next) => update({ zone: next })}
      />
      <h2 className="cal-heading" aria-live="polite" data-testid="calendar-heading">
        {heading}
      </h2>
      <p className="cal-status" role="status">
        {calendar.loadState === 'loading' ? 'Loading…' : ''}
      </p>
      {calendar.message && (
        <div role="alert" className="bad cal-message">
          {calendar.message}{' '}
          <button type="button" className="button" onClick={calendar.dismissMessage}>
            Dismiss
          </button>
        </div>
      )}
      {view === 'month' && (
        <MonthGrid
          days={grid}
          month={anchor.slice(0, 7)}
          zone={zone}
          occurrencesByDay={occurrencesByDay}
          moreOnDay={moreOnDay}
          onOpen={onOpen}
          onShowDay={(day) => update({ date: day, view: 'week' })}
        />
      )}
      {view === 'week' && (
        <WeekView
          days={shownDays}
          zone={zone}
          occurrencesByDay={occurrencesByDay}
          moreOnDay={moreOnDay}
          ready={calendar.loadState === 'ready'}
          onOpen={onOpen}
        />
      )}
      {view === 'agenda' && (
        <AgendaList
          days={shownDays}
          zone={zone}
          occurrencesByDay={occurrencesByDay}
          moreOnDay={moreOnDay}
          onOpen={onOpen}
          label={`Agenda for ${heading}`}
        />
      )}
      {open && (
        <OccurrenceDialog
          occurrence={open.occurrence}
          zone={zone}
          opener={open.opener}
          onClose={() => setOpen(null)}
          onCancelOccurrence={(occurrence) => void calendar.cancel(occurrence)}
          onChangeOccurrence={(occurrence, patch) => void calendar.change(occurrence, patch)}
          onDeleteSeries={(occurrence) => void calendar.remove(occurrence)}
        />
      )}
    </main>
  );
}

/** Keeps the day of month when moving between months (31 Jan → 28 Feb), so the week view stays put. */
function clampDay(firstOfMonth: string, previous: string): string {
  const wanted = Number(previous.slice(8));
  const lastDay = Number(addDays(shiftMonth(firstOfMonth, 1), -1).slice(8));
  return `${firstOfMonth.slice(0, 8)}${String(Math.min(wanted, lastDay)).padStart(2, '0')}`;
}
