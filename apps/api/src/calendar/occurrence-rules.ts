import type { OccurrencePatch } from '@firstlight/contracts';
import { compileSeries, parseOriginalStart } from '@firstlight/recurrence';
import { DomainError } from '../lib/errors.ts';
import { type EventRecord, toSeries } from './event-dto.ts';

/**
 * What a user's change to one occurrence may be, judged against the stored series — the request alone cannot
 * tell whether an `end` it sends without a `start` falls before the occurrence's start. Refusals are 4xx
 * DomainErrors, decided before anything is written or sent to Google.
 */

const DAY_MS = 86_400_000;

/**
 * A cancelled occurrence (or series) is not edited back to life by a PATCH: Google would restore it
 * silently. Cancelling it again is refused too (409), rather than writing a second outbox row that would
 * send Google the same change: the client learns its view was stale and reloads.
 */
export function assertEditable(series: EventRecord, key: string, action: 'cancel' | 'change'): void {
  if (series.status === 'cancelled') {
    throw new DomainError(409, 'series_cancelled', 'this series is cancelled; it cannot be changed');
  }
  if (!series.exceptions.cancelled.includes(key)) return;
  if (action === 'cancel') {
    throw new DomainError(409, 'already_cancelled', `the occurrence at ${key} is already cancelled`);
  }
  throw new DomainError(
    409,
    'occurrence_cancelled',
    `the occurrence at ${key} is cancelled; a cancelled occurrence cannot be changed`,
  );
}

/**
 * The occurrence's override after `patch`: the stored override with the patch on top (a retitle keeps an
 * earlier move), times stored the way the engine reads them — dates for an all-day series, UTC instants
 * otherwise. A move without a new end keeps the occurrence's length.
 */
export function resolvePatch(
  series: EventRecord,
  key: string,
  patch: OccurrencePatch,
): Record<string, unknown> {
  const stored = series.exceptions.overrides[key] ?? {};
  const now = currentTimes(series, key, stored);
  const start = patch.start === undefined ? now.start : timeValue(series, 'start', patch.start);
  const end =
    patch.end !== undefined
      ? timeValue(series, 'end', patch.end)
      : patch.start !== undefined
        ? start + (now.end - now.start)
        : now.end;
  if (end <= start) {
    const shown = (ms: number) => format(series, ms);
    throw new DomainError(
      400,
      'invalid_time',
      `the occurrence would end (${shown(end)}) before it starts (${shown(start)}): end must be after start`,
    );
  }
  const override: Record<string, unknown> = { ...stored };
  if (patch.start !== undefined || patch.end !== undefined) {
    override.start = format(series, start);
    override.end = format(series, end);
  }
  if (patch.summary !== undefined) override.summary = patch.summary;
  return override;
}

/** The fields of the resolved override this request changed: what the write-back sends Google. */
export function sentFields(override: Record<string, unknown>, patch: OccurrencePatch) {
  const timed = patch.start !== undefined || patch.end !== undefined;
  return {
    ...(patch.start !== undefined ? { start: override.start } : {}),
    // A moved occurrence gets its end too: Google would otherwise keep the old end (and refuse a reversed one).
    ...(timed ? { end: override.end } : {}),
    ...(patch.summary !== undefined ? { summary: override.summary } : {}),
  };
}

/** Start and end of the occurrence as it stands (original times, or its stored override's). */
function currentTimes(series: EventRecord, key: string, stored: Record<string, unknown>) {
  const parsed = parseOriginalStart(key);
  const original = parsed?.allDay ? Date.parse(`${parsed.date}T00:00:00Z`) : (parsed?.instant.getTime() ?? 0);
  const fallback = { start: original, end: original + (series.duration_ms ?? 0) };
  if (stored.start === undefined && stored.end === undefined) return fallback;
  // The engine reads a stored override as it will be shown; one it cannot read counts as the original.
  const compiled = compileSeries({
    ...toSeries(series),
    exceptions: { cancelled: [], overrides: { [key]: stored } },
  });
  const override = compiled.ok ? compiled.series.overrides.find((o) => o.key === key) : undefined;
  return override ? { start: override.start, end: override.end } : fallback;
}

/**
 * A requested time as ms. All-day series move by whole days: a date, or a date-time at 00:00:00Z. Timed
 * series need a date-time: a bare date does not say when the occurrence starts.
 */
function timeValue(series: EventRecord, field: 'start' | 'end', text: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text);
  if (series.all_day && ms % DAY_MS !== 0) {
    throw new DomainError(
      400,
      'invalid_time',
      `${field}: this is an all-day series; give a date (YYYY-MM-DD) or a time at 00:00:00Z`,
    );
  }
  if (!series.all_day && dateOnly) {
    throw new DomainError(
      400,
      'invalid_time',
      `${field}: this series has times; give a date-time with an offset, not a date`,
    );
  }
  return ms;
}

function format(series: EventRecord, ms: number): string {
  const iso = new Date(ms).toISOString();
  return series.all_day ? iso.slice(0, 10) : iso;
}
