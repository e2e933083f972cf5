import type { CalendarEventDto, SeriesEvent } from '@firstlight/contracts';
import { describe, expect, it } from 'vitest';
import { dayStart } from './calendar-dates.ts';
import { byDay, moreByDay, occurrencesIn, SERIES_DAY_LIMIT } from './occurrences.ts';

const ZONE = 'Europe/Berlin';
// A 6-week month grid, as the month view asks for it.
const days = Array.from({ length: 42 }, (_, i) =>
  new Date(Date.UTC(2026, 2, 2 + i)).toISOString().slice(0, 10),
);
const from = dayStart(days[0]!, ZONE);
const to = dayStart('2026-04-13', ZONE);

let ids = 0;
function series(recurrence: string[], fields: Partial<SeriesEvent> = {}): SeriesEvent {
  ids += 1;
  return {
    kind: 'series',
    id: `00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`,
    calendarId: 'primary',
    googleEventId: `g${ids}`,
    summary: `series ${ids}`,
    location: null,
    status: 'confirmed',
    allDay: false,
    dtstart: '2026-01-05T09:00:00',
    tzid: ZONE,
    durationMs: 1_000,
    recurrence,
    exceptions: { cancelled: [], overrides: {} },
    seriesStart: '2026-01-05T08:00:00Z',
    seriesEnd: null,
    ...fields,
  };
}
const of = (view: ReturnType<typeof occurrencesIn>, event: CalendarEventDto) =>
  view.occurrences.filter((o) => o.event.id === event.id);

describe('occurrencesIn: bounded expansion for the calendar views', () => {
  it('shows a hostile SECONDLY series as its first occurrences of each day with a "+ more" marker, and every ordinary event', () => {
    const hostile = series(['RRULE:FREQ=SECONDLY;COUNT=10000000'], {
      dtstart: '2026-03-10T00:00:00',
      seriesStart: '2026-03-09T23:00:00Z',
      seriesEnd: '2026-07-03T16:46:40Z',
    });
    const weekly = series(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR']);
    const single: CalendarEventDto = {
      kind: 'single',
      id: '00000000-0000-4000-8000-999999999999',
      calendarId: 'primary',
      googleEventId: 'single',
      summary: 'Dentist',
      location: null,
      status: 'confirmed',
      allDay: false,
      start: '2026-03-20T10:00:00Z',
      end: '2026-03-20T11:00:00Z',
      startDate: null,
      endDate: null,
    };
    // The hostile series first: a budget shared across series would leave nothing for the others.
    const view = occurrencesIn([hostile, weekly, single], from, to, ZONE);

    expect(of(view, weekly)).toHaveLength(18); // 6 weeks × 3
    expect(of(view, weekly).every((o) => o.warning === null)).toBe(true);
    expect(of(view, single)).toHaveLength(1);

    // 2026-03-10 to the end of the grid (the series lasts ~116 days): SERIES_DAY_LIMIT on each day, a marker each,
    // the days around Berlin's spring forward (29 March) included.
    const shown = byDay(of(view, hostile), days);
    const hostileDays = days.filter((day) => day >= '2026-03-10');
    for (const day of days) expect(shown.get(day)).toHaveLength(day >= '2026-03-10' ? SERIES_DAY_LIMIT : 0);
    expect(of(view, hostile).every((o) => o.warning?.kind === 'too_frequent')).toBe(true);
    const markers = moreByDay(view.more.filter((m) => m.event.id === hostile.id));
    expect([...markers.keys()]).toEqual(hostileDays);
    // Not counted (each day stops at SERIES_DAY_LIMIT + 1): "+ more".
    expect(markers.get('2026-03-11')?.[0]?.hidden).toBeNull();
    expect(view.more.every((m) => m.event.id === hostile.id)).toBe(true);
  });

  it('caps a complete dense series at SERIES_DAY_LIMIT a day and counts the rest', () => {
    const hourly = series(['RRULE:FREQ=HOURLY'], { dtstart: '2026-03-02T00:00:00' });
    const view = occurrencesIn([hourly], from, to, ZONE);
    const perDay = byDay(view.occurrences, days);
    expect(perDay.get('2026-03-03')).toHaveLength(SERIES_DAY_LIMIT);
    // The first of the day, in order.
    expect(perDay.get('2026-03-03')?.[0]?.start.toISOString()).toBe('2026-03-02T23:00:00.000Z');
    const markers = moreByDay(view.more);
    expect(markers.get('2026-03-03')?.[0]?.hidden).toBe(24 - SERIES_DAY_LIMIT);
    // Spring forward in Berlin on 29 March: a 23-hour day.
    expect(markers.get('2026-03-29')?.[0]?.hidden).toBe(23 - SERIES_DAY_LIMIT);
    expect(view.occurrences[0]?.warning?.kind).toBe('too_frequent');
  });

  it('leaves ordinary dense-looking series alone: an hourly working day is whole, unmarked', () => {
    const workday = series(['RRULE:FREQ=HOURLY;BYHOUR=9,10,11,12,13,14,15,16,17;BYDAY=MO,TU,WE,TH,FR']);
    const view = occurrencesIn([workday], from, to, ZONE);
    expect(view.occurrences).toHaveLength(30 * 9);
    expect(view.more).toEqual([]);
    expect(view.occurrences.every((o) => o.warning === null)).toBe(true);
  });

  it('tells an unreadable rule from a dense one, and notes a nonstandard rule discreetly', () => {
    const garbage = series(['RRULE:FREQ=FORTNIGHTLY'], { dtstart: '2026-03-04T09:00:00' });
    const nonstandard = series(['RRULE:FREQ=MONTHLY;BYYEARDAY=70']);
    const view = occurrencesIn([garbage, nonstandard], from, to, ZONE);
    const [first, ...rest] = of(view, garbage);
    expect(rest).toEqual([]);
    expect(first?.warning?.kind).toBe('unreadable');
    const unusual = of(view, nonstandard);
    expect(unusual.length).toBeGreaterThan(0);
    expect(unusual[0]?.warning).toBeNull();
    expect(unusual[0]?.notes[0]).toMatch(/BYYEARDAY/);
  });
});
