import type { SeriesExceptions } from '@firstlight/db';
import { isKnownZone, originalStartFromGoogle, toLocalDateTime } from '@firstlight/recurrence';
import { z } from 'zod';
import { LoopSlice } from './loop-slice.ts';
import { seriesBounds } from './series-bounds.ts';

/**
 * Google Calendar events → our rows (ARCHITECTURE §4): a single → one row; a series master → one row with its
 * rule lines, zone, local DTSTART and duration; an instance Google reports with `recurringEventId` is never a
 * row but a change to its master's exceptions. Data from Google is validated: a malformed event is reported,
 * not stored half-way.
 */

const EventTime = z.object({
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullish(),
  dateTime: z.string().nullish(),
  timeZone: z.string().nullish(),
});

export const GoogleEvent = z.object({
  id: z.string().min(1),
  status: z.enum(['confirmed', 'tentative', 'cancelled']).nullish(),
  summary: z.string().nullish(),
  location: z.string().nullish(),
  start: EventTime.nullish(),
  end: EventTime.nullish(),
  recurrence: z.array(z.string()).nullish(),
  recurringEventId: z.string().nullish(),
  originalStartTime: EventTime.nullish(),
  etag: z.string().nullish(),
  updated: z.string().nullish(),
});
export type GoogleEvent = z.infer<typeof GoogleEvent>;

export interface EventRow {
  google_event_id: string;
  kind: 'single' | 'series';
  status: 'confirmed' | 'tentative' | 'cancelled';
  summary: string | null;
  location: string | null;
  all_day: boolean;
  start_at: Date;
  end_at: Date;
  tzid: string | null;
  dtstart_local: string | null;
  duration_ms: number | null;
  recurrence: string[] | null;
  series_start: Date | null;
  series_end: Date | null;
  etag: string | null;
  google_updated: Date | null;
}

export type Mapped =
  | { type: 'row'; row: EventRow }
  /** The master or single is gone. */
  | { type: 'deleted'; googleEventId: string }
  /** One occurrence of `masterId` changed (moved, retitled) or was cancelled. */
  | {
      type: 'exception';
      masterId: string;
      key: string;
      cancelled: boolean;
      override: Record<string, unknown>;
    }
  | { type: 'invalid'; googleEventId: string | null; reason: string };

const DAY_MS = 86_400_000;

/** All-day dates are instants at UTC midnight in `start_at`/`end_at` (for range queries); the dates stay dates. */
const dateInstant = (date: string) => new Date(`${date}T00:00:00Z`);

export function mapEvent(raw: unknown, calendarZone: string | null): Mapped {
  const parsed = GoogleEvent.safeParse(raw);
  if (!parsed.success) {
    const id = (raw as { id?: unknown } | null)?.id;
    return {
      type: 'invalid',
      googleEventId: typeof id === 'string' ? id : null,
      reason: parsed.error.message,
    };
  }
  const event = parsed.data;
  if (event.recurringEventId) {
    const key = event.originalStartTime ? originalStartFromGoogle(event.originalStartTime) : undefined;
    if (!key)
      return { type: 'invalid', googleEventId: event.id, reason: 'an instance without originalStartTime' };
    if (event.status === 'cancelled') {
      return { type: 'exception', masterId: event.recurringEventId, key, cancelled: true, override: {} };
    }
    const override: Record<string, unknown> = {};
    if (event.start) override.start = event.start.dateTime ?? event.start.date;
    if (event.end) override.end = event.end.dateTime ?? event.end.date;
    if (event.summary !== undefined) override.summary = event.summary;
    if (event.location) override.location = event.location;
    return { type: 'exception', masterId: event.recurringEventId, key, cancelled: false, override };
  }
  if (event.status === 'cancelled') return { type: 'deleted', googleEventId: event.id };
  if (!event.start || !event.end)
    return { type: 'invalid', googleEventId: event.id, reason: 'no start or end' };

  const allDay = Boolean(event.start.date);
  const start = allDay ? dateInstant(event.start.date!) : new Date(event.start.dateTime ?? '');
  const end = allDay ? dateInstant(event.end.date ?? event.start.date!) : new Date(event.end.dateTime ?? '');
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end < start) {
    return { type: 'invalid', googleEventId: event.id, reason: 'unreadable or reversed start/end' };
  }
  const base = {
    google_event_id: event.id,
    status: event.status ?? 'confirmed',
    summary: event.summary ?? null,
    location: event.location ?? null,
    all_day: allDay,
    start_at: start,
    end_at: allDay && end.getTime() === start.getTime() ? new Date(start.getTime() + DAY_MS) : end,
    etag: event.etag ?? null,
    google_updated: event.updated ? new Date(event.updated) : null,
  };
  const recurrence = (event.recurrence ?? []).filter((line) => line.trim() !== '');
  if (recurrence.length === 0) {
    return {
      type: 'row',
      row: {
        ...base,
        kind: 'single',
        tzid: null,
        dtstart_local: null,
        duration_ms: null,
        recurrence: null,
        series_start: null,
        series_end: null,
      },
    };
  }
  // Google: start.timeZone is required on recurring events and is the zone the rule expands in.
  const tzid = allDay ? null : (event.start.timeZone ?? calendarZone);
  if (!allDay && (!tzid || !isKnownZone(tzid))) {
    return { type: 'invalid', googleEventId: event.id, reason: `unknown time zone ${tzid ?? '(none)'}` };
  }
  const dtstart = allDay ? event.start.date! : toLocalDateTime(start, tzid!);
  const durationMs = base.end_at.getTime() - start.getTime();
  const bounds = seriesBounds({ dtstart, tzid, durationMs, recurrence }, start);
  return {
    type: 'row',
    row: {
      ...base,
      kind: 'series',
      tzid,
      // timestamp without time zone: midnight for an all-day series.
      dtstart_local: allDay ? `${dtstart} 00:00:00` : dtstart.replace('T', ' '),
      duration_ms: durationMs,
      recurrence,
      series_start: bounds.start,
      series_end: bounds.end,
    },
  };
}

/**
 * mapEvent over a sync pass's items, yielding to the event loop between slices (loop-slice.ts): each series'
 * bounds run under the recurrence engine's work budget, and a page of many heavy series must not hold the
 * loop for the sum of them.
 */
export async function mapEvents(items: readonly unknown[], calendarZone: string | null): Promise<Mapped[]> {
  const out: Mapped[] = [];
  const slice = new LoopSlice();
  for (const item of items) {
    out.push(mapEvent(item, calendarZone));
    await slice.pause();
  }
  return out;
}

/** Applies one exception to a master's JSONB, as a set: re-applying the same change changes nothing. */
export function foldException(
  exceptions: SeriesExceptions,
  change: { key: string; cancelled: boolean; override: Record<string, unknown> },
): SeriesExceptions {
  const cancelled = new Set(exceptions.cancelled);
  const overrides = { ...exceptions.overrides };
  if (change.cancelled) {
    cancelled.add(change.key);
    delete overrides[change.key];
  } else {
    cancelled.delete(change.key);
    overrides[change.key] = change.override;
  }
  return { cancelled: [...cancelled].sort(), overrides };
}
