import { randomBytes } from 'node:crypto';
import type { SeriesExceptions } from '@firstlight/db';
import { expand, parseOriginalStart, toInstant, toLocalDateTime } from '@firstlight/recurrence';

/**
 * "This and following" the way Google does it (GOOGLE-FACTS): the old series ends before the split (its RRULE
 * gets an UNTIL, replacing a COUNT) and a new series starts at the split with what remains of the rule. RDATE and
 * EXDATE lines and exceptions go with the side they fall on.
 */

export interface SeriesShape {
  dtstart: string; // local `YYYY-MM-DDTHH:mm:ss`, or a date for all-day
  tzid: string | null;
  durationMs: number;
  recurrence: string[];
  exceptions: SeriesExceptions;
}

export interface Split {
  old: { recurrence: string[]; exceptions: SeriesExceptions };
  next: SeriesShape & { googleEventId: string; startAt: Date };
}

/** Google event ids are base32hex (a-v, 0-9): a client may choose one on insert. */
export function newGoogleEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('');
}

const ruleParts = (line: string) =>
  new Map(
    line
      .replace(/^RRULE:/i, '')
      .split(';')
      .filter(Boolean)
      .map((part) => part.split('=') as [string, string]),
  );
const ruleLine = (parts: Map<string, string>) => `RRULE:${[...parts].map(([k, v]) => `${k}=${v}`).join(';')}`;

/** `YYYYMMDDTHHMMSSZ` of an instant (UNTIL in UTC compares as an instant). */
const icalUtc = (instant: Date) =>
  `${instant.toISOString().slice(0, 19).replaceAll('-', '').replaceAll(':', '')}Z`;

export function splitSeries(series: SeriesShape, fromKey: string): Split | undefined {
  const parsed = parseOriginalStart(fromKey);
  if (!parsed) return undefined;
  const allDay = parsed.allDay;
  const splitAt = parsed.allDay ? new Date(`${parsed.date}T00:00:00Z`) : parsed.instant;
  const base = {
    dtstart: series.dtstart,
    ...(series.tzid ? { tzid: series.tzid } : {}),
    durationMs: series.durationMs,
  };
  const ruleIndex = series.recurrence.findIndex((line) => /^RRULE:/i.test(line));
  if (ruleIndex < 0) return undefined;
  const parts = ruleParts(series.recurrence[ruleIndex]!);

  // How many occurrences the rule generated before the split (EXDATEs still count toward COUNT, RFC 5545).
  const seriesStartAt = allDay ? new Date(`${series.dtstart}T00:00:00Z`) : undefined;
  const generatedBefore = expand(
    { ...base, recurrence: [series.recurrence[ruleIndex]!] },
    seriesStartAt ?? new Date(0),
    splitAt,
  ).length;
  if (generatedBefore === 0) return undefined; // splitting at the first occurrence is not a split

  const oldParts = new Map(parts);
  oldParts.delete('COUNT');
  oldParts.set(
    'UNTIL',
    allDay ? dayBefore(parsed.allDay ? parsed.date : '') : icalUtc(new Date(splitAt.getTime() - 1000)),
  );
  const nextParts = new Map(parts);
  const count = parts.get('COUNT');
  if (count) nextParts.set('COUNT', String(Math.max(1, Number(count) - generatedBefore)));

  const dated = (line: string) => !/^RRULE:/i.test(line);
  const side = (line: string, after: boolean) => {
    // RDATE/EXDATE lines: keep each value on its side of the split.
    const [head, values = ''] = line.split(/:(.*)/s);
    const kept = values
      .split(',')
      .filter((value) => valueInstant(value, head!, series.tzid) >= splitAt === after);
    return kept.length ? `${head}:${kept.join(',')}` : undefined;
  };
  const oldLines = [
    ruleLine(oldParts),
    ...series.recurrence.filter(dated).flatMap((l) => side(l, false) ?? []),
  ];
  const nextLines = [
    ruleLine(nextParts),
    ...series.recurrence.filter(dated).flatMap((l) => side(l, true) ?? []),
  ];

  const keyAt = (key: string) => {
    const p = parseOriginalStart(key);
    return p ? (p.allDay ? new Date(`${p.date}T00:00:00Z`) : p.instant) : new Date(0);
  };
  const partition = (after: boolean): SeriesExceptions => ({
    cancelled: series.exceptions.cancelled.filter((key) => keyAt(key) >= splitAt === after),
    overrides: Object.fromEntries(
      Object.entries(series.exceptions.overrides).filter(([key]) => keyAt(key) >= splitAt === after),
    ),
  });

  return {
    old: { recurrence: oldLines, exceptions: partition(false) },
    next: {
      googleEventId: newGoogleEventId(),
      dtstart: allDay ? fromKey : toLocalDateTime(splitAt, series.tzid!),
      tzid: series.tzid,
      durationMs: series.durationMs,
      recurrence: nextLines,
      exceptions: partition(true),
      startAt: splitAt,
    },
  };
}

function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10).replaceAll('-', '');
}

/** The instant of an RDATE/EXDATE value: `...Z` is UTC, a date is midnight UTC, otherwise local in TZID. */
function valueInstant(value: string, head: string, zone: string | null): Date {
  const v = value.trim();
  if (/^\d{8}$/.test(v)) return new Date(`${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T00:00:00Z`);
  const iso = `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)}T${v.slice(9, 11)}:${v.slice(11, 13)}:${v.slice(13, 15)}`;
  if (v.endsWith('Z')) return new Date(`${iso}Z`);
  return toInstant(iso, /TZID=([^;:]+)/i.exec(head)?.[1] ?? zone ?? 'UTC');
}
