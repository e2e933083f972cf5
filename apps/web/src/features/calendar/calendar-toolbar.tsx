import { COMMON_ZONES } from './calendar-dates.ts';

export type CalendarView = 'month' | 'week' | 'agenda';

const MONTHS = Array.from({ length: 12 }, (_, i) =>
  new Date(Date.UTC(2000, i, 15)).toLocaleDateString(undefined, { month: 'long', timeZone: 'UTC' }),
);

/** Navigation (month, year, today, a month/year picker over ±20 years), the view and the zone. */
export function CalendarToolbar({
  anchor,
  todayYear,
  view,
  zone,
  browserZone,
  onMove,
  onPick,
  onToday,
  onView,
  onZone,
}: {
  anchor: string;
  todayYear: number;
  view: CalendarView;
  zone: string;
  browserZone: string;
  /** Move by whole months (or by a week in the week view when `unit` is 'week'). */
  onMove: (months: number) => void;
  onPick: (year: number, month: number) => void;
  onToday: () => void;
  onView: (view: CalendarView) => void;
  onZone: (zone: string) => void;
}) {
  const year = Number(anchor.slice(0, 4));
  const month = Number(anchor.slice(5, 7));
  const firstYear = Math.min(todayYear - 20, year);
  const lastYear = Math.max(todayYear + 20, year);
  const years = Array.from({ length: lastYear - firstYear + 1 }, (_, i) => firstYear + i);
  const zones = [...new Set([browserZone, ...COMMON_ZONES, zone])];
  const stepLabel = view === 'week' ? 'week' : 'month';
  return (
    <div className="cal-toolbar">
      <NavigateButtons stepLabel={stepLabel} onMove={onMove} onToday={onToday} />
      <MonthYearPicker year={year} month={month} years={years} onPick={onPick} />
      <fieldset className="cal-toolbar-group">
        <legend className="visually-hidden">View</legend>
        {(['month', 'week', 'agenda'] as const).map((name) => (
          <button
            key={name}
            type="button"
            className="button"
            aria-pressed={view === name}
            onClick={() => onView(name)}
          >
            {name[0]!.toUpperCase() + name.slice(1)}
          </button>
        ))}
      </fieldset>
      <label className="cal-toolbar-group">
        Time zone
        <select value={zone} onChange={(change) => onZone(change.target.value)}>
          {zones.map((name) => (
            <option key={name} value={name}>
              {name === browserZone ? `${name} (this device)` : name}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function NavigateButtons({
  stepLabel,
  onMove,
  onToday,
}: {
  stepLabel: string;
  onMove: (months: number) => void;
  onToday: () => void;
}) {
  return (
    <fieldset className="cal-toolbar-group">
      <legend className="visually-hidden">Navigate</legend>
      <button type="button" className="button" onClick={() => onMove(-12)} aria-label="Previous year">
        «
      </button>
      <button
        type="button"
        className="button"
        onClick={() => onMove(-1)}
        aria-label={`Previous ${stepLabel}`}
      >
        ‹
      </button>
      <button type="button" className="button" onClick={onToday}>
        Today
      </button>
      <button type="button" className="button" onClick={() => onMove(1)} aria-label={`Next ${stepLabel}`}>
        ›
      </button>
      <button type="button" className="button" onClick={() => onMove(12)} aria-label="Next year">
        »
      </button>
    </fieldset>
  );
}

function MonthYearPicker({
  year,
  month,
  years,
  onPick,
}: {
  year: number;
  month: number;
  years: readonly number[];
  onPick: (year: number, month: number) => void;
}) {
  return (
    <div className="cal-toolbar-group">
      <label>
        <span className="visually-hidden">Month</span>
        <select value={month} onChange={(change) => onPick(year, Number(change.target.value))}>
          {MONTHS.map((name, i) => (
            <option key={name} value={i + 1}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span className="visually-hidden">Year</span>
        <select value={year} onChange={(change) => onPick(Number(change.target.value), month)}>
          {years.map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
