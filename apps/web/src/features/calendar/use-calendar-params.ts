import { isKnownZone } from '@firstlight/recurrence';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { addDays, browserZone, monthStart, shiftMonth, todayIn } from './calendar-dates.ts';
import type { CalendarView } from './calendar-toolbar.tsx';

const VIEWS: readonly CalendarView[] = ['month', 'week', 'agenda'];

/**
 * The shown date, view and zone, kept in the URL (`?date=2026-11-25&view=month&zone=Europe/Berlin`) so a reload
 * or a shared link keeps them; defaults: today, the device's zone, the month (the agenda on a phone).
 */
export function useCalendarParams() {
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

  const navigation = {
    onMove: (months: number) =>
      update({
        date:
          view === 'week' && Math.abs(months) === 1
            ? addDays(anchor, 7 * months)
            : clampDay(shiftMonth(anchor, months), anchor),
      }),
    onPick: (year: number, month: number) => update({ date: clampDay(monthStart(year, month), anchor) }),
    onToday: () => update({ date: today }),
    onView: (next: CalendarView) => update({ view: next }),
    onZone: (next: string) => update({ zone: next }),
  };
  return { zone, deviceZone, today, anchor, view, update, navigation };
}

/** Keeps the day of month when moving between months (31 Jan → 28 Feb), so the week view stays put. */
function clampDay(firstOfMonth: string, previous: string): string {
  const wanted = Number(previous.slice(8));
  const lastDay = Number(addDays(shiftMonth(firstOfMonth, 1), -1).slice(8));
  return `${firstOfMonth.slice(0, 8)}${String(Math.min(wanted, lastDay)).padStart(2, '0')}`;
}
