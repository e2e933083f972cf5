/** The 50 realistic series the expansion benchmarks use (shared by bench/expand.ts and bench/expansion.bench.ts). */
import type { Series } from '../src/index.ts';

export const HOUR = 3_600_000;
const zones = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Europe/London',
  'Asia/Tokyo',
  'America/Los_Angeles',
];
const days = ['MO', 'TU', 'WE', 'TH', 'FR'];

export function seriesSet(): Series[] {
  const out: Series[] = [];
  for (let i = 0; i < 50; i++) {
    const tzid = zones[i % zones.length]!;
    const year = 2020 + (i % 6);
    const month = String(1 + (i % 12)).padStart(2, '0');
    const dtstart = `${year}-${month}-0${1 + (i % 7)}T${String(8 + (i % 9)).padStart(2, '0')}:${i % 2 ? '30' : '00'}:00`;
    const kind = i % 10;
    const recurrence =
      kind <= 2
        ? [`RRULE:FREQ=WEEKLY;BYDAY=${days[i % 5]}`]
        : kind === 3
          ? ['RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR']
          : kind === 4
            ? [`RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=${days[(i + 2) % 5]},${days[(i + 4) % 5]}`]
            : kind === 5
              ? [`RRULE:FREQ=MONTHLY;BYDAY=${i % 3 ? '1' : '-1'}${days[i % 5]}`]
              : kind === 6
                ? ['RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1']
                : kind === 7
                  ? ['RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=200']
                  : kind === 8
                    ? ['RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20331231T230000Z']
                    : ['RRULE:FREQ=MONTHLY;BYMONTHDAY=15'];
    const series: Series = { dtstart, tzid, durationMs: HOUR, recurrence };
    if (i % 3 === 0) {
      series.recurrence = [
        ...recurrence,
        `EXDATE;TZID=${tzid}:${dtstart.replace(/[-:]/g, '').replace(/^\d{4}/, '2026')}`,
      ];
      series.exceptions = {
        cancelled: ['2027-03-01T09:00:00Z'],
        overrides: { '2028-05-02T14:00:00Z': { start: '2028-05-03T15:00:00Z', summary: 'moved' } },
      };
    }
    if (i % 10 === 9)
      out.push({ dtstart: `19${40 + i}-0${1 + (i % 9)}-1${i % 10}`, recurrence: ['RRULE:FREQ=YEARLY'] });
    else out.push(series);
  }
  return out;
}
