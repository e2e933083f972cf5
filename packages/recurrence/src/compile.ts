/**
 * Validation and preparation of a series: every line, value, zone and exception is read once here, so that
 * expanding many windows of the same series does no parsing. Errors come back as values.
 */
import { type CompiledRule, compileRule } from './compile-rule.ts';
import { fail, RecurrenceError, type RecurrenceIssue } from './errors.ts';
import { type ContentLine, parseContentLine, parseIcalDateValue } from './ical-values.ts';
import {
  DAY,
  formatLocalDate,
  localToInstant,
  parseLocalDate,
  parseLocalDateTime,
  resolveZone,
  startOfDay,
  type Zone,
} from './local-time.ts';
import { normalizeOriginalStart, parseOriginalStart } from './original-start.ts';
import { parseRule } from './rule-grammar.ts';
import type { OccurrenceOverride, Series } from './types.ts';

/**
 * A validated series. "Start values" are instants (ms) for a timed series and floating dates (ms at
 * midnight UTC) for an all-day one.
 */
export interface CompiledSeries {
  readonly source: Series;
  readonly allDay: boolean;
  /** The series' zone; null when all-day (dates do not shift). */
  readonly zone: Zone | null;
  /** DTSTART, floating. */
  readonly dtstart: number;
  /** Exact duration (timed), or whole days in ms (all-day). */
  readonly durationMs: number;
  readonly rules: readonly CompiledRule[];
  readonly exrules: readonly CompiledRule[];
  /** No RRULE: DTSTART is itself an occurrence (RFC 5545 §3.8.5.3 "the first instance"). */
  readonly includesDtstart: boolean;
  readonly rdates: readonly number[];
  readonly exdates: ReadonlySet<number>;
  /** Timed series only: local dates (floating midnight) excluded whole by `EXDATE;VALUE=DATE`. */
  readonly exdateDays: ReadonlySet<number>;
  readonly cancelled: ReadonlySet<string>;
  readonly overrides: readonly CompiledOverride[];
  /** Keys of `overrides`, to skip the originals they replace. */
  readonly overridden: ReadonlySet<string>;
  /** `nonstandard_rrule` warnings: rule parts RFC 5545 forbids, expanded as python-dateutil does. */
  readonly warnings: readonly RecurrenceIssue[];
}

export interface CompiledOverride {
  key: string;
  fields: OccurrenceOverride;
  /** Original start value (see CompiledSeries). */
  original: number;
  start: number;
  end: number;
}

export type CompileResult = { ok: true; series: CompiledSeries } | { ok: false; error: RecurrenceIssue };

/** Validates and prepares a series; a malformed series is `{ ok: false, error: { code, reason } }`. */
export function compileSeries(series: Series): CompileResult {
  try {
    return { ok: true, series: compileOrThrow(series) };
  } catch (error) {
    if (error instanceof RecurrenceError)
      return { ok: false, error: { code: error.code, reason: error.reason } };
    // A defect of ours, not of the data: still a value, so a calendar shows the first occurrence.
    return {
      ok: false,
      error: { code: 'invalid_rrule', reason: String((error as Error)?.message ?? error) },
    };
  }
}

function zoneOf(name: string): Zone {
  return resolveZone(name) ?? fail('unknown_zone', `'${name}' is not an IANA time zone known here`);
}

function compileOrThrow(series: Series): CompiledSeries {
  if (typeof series !== 'object' || series === null || !Array.isArray(series.recurrence))
    fail('invalid_series', 'a series needs dtstart and a recurrence array');
  const dateStart = parseLocalDate(series.dtstart);
  const allDay = dateStart !== undefined;
  const dtstart =
    dateStart ??
    parseLocalDateTime(series.dtstart) ??
    fail('invalid_series', `dtstart '${series.dtstart}' is neither YYYY-MM-DD nor YYYY-MM-DDTHH:mm:ss`);
  let zone: Zone | null = null;
  if (!allDay) {
    if (!series.tzid) fail('unknown_zone', 'a timed series needs its tzid');
    zone = zoneOf(series.tzid!);
  }
  const durationMs = durationOf(series, allDay, dtstart, zone);

  const lines = series.recurrence.map((raw) => {
    if (typeof raw !== 'string')
      fail('invalid_rrule', `recurrence line ${JSON.stringify(raw)} is not a string`);
    return parseContentLine(raw);
  });
  const rules: CompiledRule[] = [];
  const exrules: CompiledRule[] = [];
  const rdates: number[] = [];
  const exdates = new Set<number>();
  const exdateDays = new Set<number>();
  const warnings: RecurrenceIssue[] = [];
  for (const line of lines) {
    if (line.name === 'RRULE' || line.name === 'EXRULE') {
      const spec = parseRule(line.value);
      for (const why of spec.nonstandard)
        warnings.push({ code: 'nonstandard_rrule', reason: `${why} in '${line.value}'` });
      const rule = compileRule(spec, line.value, dtstart, zone);
      (line.name === 'RRULE' ? rules : exrules).push(rule);
    } else if (line.name === 'RDATE' || line.name === 'EXDATE') {
      for (const value of dateValues(line, allDay, dtstart, zone)) {
        if (line.name === 'RDATE') rdates.push(value.start);
        else if (value.wholeDay !== undefined) exdateDays.add(value.wholeDay);
        else exdates.add(value.start);
      }
    } else {
      fail('invalid_rrule', `recurrence line '${line.name}' is not RRULE, EXRULE, RDATE or EXDATE`);
    }
  }
  rdates.sort((a, b) => a - b);

  const cancelled = new Set<string>();
  for (const key of series.exceptions?.cancelled ?? []) {
    cancelled.add(
      normalizeOriginalStart(key) ?? fail('invalid_series', `cancelled start '${key}' is unreadable`),
    );
  }
  const overrides: CompiledOverride[] = [];
  for (const [rawKey, fields] of Object.entries(series.exceptions?.overrides ?? {})) {
    const override = compileOverride(rawKey, fields, allDay, durationMs, zone);
    if (!cancelled.has(override.key)) overrides.push(override);
  }
  return {
    source: series,
    allDay,
    zone,
    dtstart,
    durationMs,
    rules,
    exrules,
    includesDtstart: rules.length === 0,
    rdates,
    exdates,
    exdateDays,
    cancelled,
    overrides,
    overridden: new Set(overrides.map((o) => o.key)),
    warnings,
  };
}

function durationOf(series: Series, allDay: boolean, dtstart: number, zone: Zone | null): number {
  if (series.durationMs !== undefined) {
    const ms = series.durationMs;
    if (!Number.isFinite(ms) || ms < 0) fail('invalid_series', `durationMs ${ms} is not a duration`);
    if (allDay && (ms % DAY !== 0 || ms === 0))
      fail('invalid_series', `an all-day series lasts whole days, not ${ms} ms`);
    return ms;
  }
  if (series.end !== undefined) {
    const end = allDay ? parseLocalDate(series.end) : parseLocalDateTime(series.end);
    if (end === undefined) fail('invalid_series', `end '${series.end}' is not in the form of dtstart`);
    const ms = zone ? localToInstant(end!, zone) - localToInstant(dtstart, zone) : end! - dtstart;
    if (ms < 0 || (allDay && ms === 0)) fail('invalid_series', `end '${series.end}' is not after dtstart`);
    return ms;
  }
  return allDay ? DAY : 0;
}

interface DateValue {
  start: number;
  /** EXDATE;VALUE=DATE on a timed series: the local day to exclude. */
  wholeDay?: number;
}

/** The values of an RDATE/EXDATE line, in the series' start values. */
function dateValues(line: ContentLine, allDay: boolean, dtstart: number, zone: Zone | null): DateValue[] {
  if (line.params.VALUE === 'PERIOD')
    fail('unsupported_rrule', `${line.name};VALUE=PERIOD is not supported (RDATE periods)`);
  const lineZone = line.params.TZID !== undefined ? zoneOf(line.params.TZID) : zone;
  return line.value.split(',').map((text) => {
    const value =
      parseIcalDateValue(text) ??
      fail('invalid_date', `'${text}' in ${line.name} is not a date or date-time`);
    if (allDay) return { start: startOfDay(value.kind === 'utc' ? value.instant : value.local) };
    if (value.kind === 'utc') return { start: value.instant };
    if (value.kind === 'floating') return { start: localToInstant(value.local, lineZone ?? zone!) };
    // A DATE on a timed series: RDATE adds DTSTART's time of day on that date; EXDATE drops the whole day.
    const atTime = value.local + (dtstart - startOfDay(dtstart));
    return line.name === 'EXDATE'
      ? { start: Number.NaN, wholeDay: value.local }
      : { start: localToInstant(atTime, zone!) };
  });
}

/** An override's new start/end in start values; a local date-time is read in the series' zone. */
function overrideTime(text: unknown, allDay: boolean, zone: Zone | null, what: string): number {
  if (typeof text !== 'string') return fail('invalid_series', `${what} is not a string`);
  if (allDay) {
    return (
      parseLocalDate(text) ?? fail('invalid_series', `${what} '${text}' is not a date on an all-day series`)
    );
  }
  const local = parseLocalDateTime(text);
  if (local !== undefined) return localToInstant(local, zone!);
  const parsed = parseOriginalStart(text);
  if (parsed && !parsed.allDay) return parsed.instant.getTime();
  return fail('invalid_series', `${what} '${text}' is not an RFC 3339 date-time`);
}

function compileOverride(
  rawKey: string,
  fields: OccurrenceOverride,
  allDay: boolean,
  durationMs: number,
  zone: Zone | null,
): CompiledOverride {
  const parsed = parseOriginalStart(rawKey);
  if (!parsed || parsed.allDay !== allDay)
    fail('invalid_series', `override key '${rawKey}' is not a${allDay ? ' date' : 'n instant'}`);
  if (typeof fields !== 'object' || fields === null)
    fail('invalid_series', `override '${rawKey}' is not an object`);
  const original = parsed!.allDay ? parseLocalDate(parsed!.date)! : parsed!.instant.getTime();
  const key = parsed!.allDay ? formatLocalDate(original) : normalizeOriginalStart(rawKey)!;
  const start =
    fields.start !== undefined ? overrideTime(fields.start, allDay, zone, `override ${key} start`) : original;
  const end =
    fields.end !== undefined
      ? overrideTime(fields.end, allDay, zone, `override ${key} end`)
      : start + durationMs;
  if (end < start) fail('invalid_series', `override ${key} ends before it starts`);
  return { key, fields, original, start, end };
}
