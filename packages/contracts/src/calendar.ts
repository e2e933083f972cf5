import { z } from 'zod';

/**
 * Calendar over REST: singles and series masters as stored (one row per series, never expanded); the browser
 * expands series with packages/recurrence. Occurrences are named by their original start: `YYYY-MM-DDTHH:mm:ssZ`
 * for timed series, `YYYY-MM-DD` for all-day ones (the instance id Google uses, minus the punctuation).
 */

export const OriginalStart = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/, 'must be YYYY-MM-DDTHH:mm:ssZ or YYYY-MM-DD')
  // Date.parse rolls 2026-02-31 over to 3 March: a key must name a real day and time, as written.
  .refine((text) => isRealTime(text), 'is not a real date or time');

function isRealTime(text: string): boolean {
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) return false;
  const iso = new Date(ms).toISOString();
  return text.length === 10 ? iso.startsWith(text) : `${iso.slice(0, 19)}Z` === text;
}

/**
 * Length limits of what a user may write into Google. Google documents none for an event's text fields; these
 * are ours, generous for a person and small enough that one edit cannot bloat a row or an outbox payload.
 */
export const TEXT_LIMITS = { summary: 1024, location: 1024, description: 8192 } as const;

/**
 * C0/C1 control characters (NUL included: PostgreSQL's text and jsonb cannot hold it) and lone surrogates
 * (jsonb refuses their escapes) are refused, so a bad title is the client's 400, never our 500.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const EditableText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => !CONTROL.test(text), 'must not contain control characters')
    .refine((text) => !LONE_SURROGATE.test(text), 'must be well-formed unicode')
    .refine((text) => text.trim().length > 0, 'must not be blank');

export const OccurrenceOverride = z
  .object({ start: z.string().optional(), end: z.string().optional(), summary: z.string().optional() })
  .catchall(z.unknown());

export const SeriesExceptions = z.object({
  cancelled: z.array(z.string()),
  overrides: z.record(z.string(), OccurrenceOverride),
});
export type SeriesExceptions = z.infer<typeof SeriesExceptions>;

const EventBase = z.object({
  id: z.string().uuid(),
  calendarId: z.string(),
  googleEventId: z.string(),
  summary: z.string().nullable(),
  location: z.string().nullable(),
  status: z.enum(['confirmed', 'tentative', 'cancelled']),
  allDay: z.boolean(),
});

export const SingleEvent = EventBase.extend({
  kind: z.literal('single'),
  start: z.string(),
  end: z.string(),
  /** All-day: the dates (end exclusive). */
  startDate: z.string().nullable(),
  endDate: z.string().nullable(),
});

export const SeriesEvent = EventBase.extend({
  kind: z.literal('series'),
  /** Local wall-clock DTSTART `YYYY-MM-DDTHH:mm:ss` in `tzid`, or a date for all-day series. */
  dtstart: z.string(),
  tzid: z.string().nullable(),
  durationMs: z.number().int().nonnegative(),
  recurrence: z.array(z.string()),
  exceptions: SeriesExceptions,
  seriesStart: z.string(),
  seriesEnd: z.string().nullable(),
});

export const CalendarEventDto = z.discriminatedUnion('kind', [SingleEvent, SeriesEvent]);
export type CalendarEventDto = z.infer<typeof CalendarEventDto>;
export type SeriesEvent = z.infer<typeof SeriesEvent>;
export type SingleEvent = z.infer<typeof SingleEvent>;

/** Windows over a year need `long=1` (the 10-year view): the API says so instead of silently scanning. */
export const MAX_WINDOW_DAYS = 366;
export const MAX_LONG_WINDOW_DAYS = 3_700;

export const CalendarRangeQuery = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    long: z.enum(['0', '1']).optional(),
  })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] })
  .refine(
    (q) =>
      Date.parse(q.to) - Date.parse(q.from) <=
      (q.long === '1' ? MAX_LONG_WINDOW_DAYS : MAX_WINDOW_DAYS) * 86_400_000,
    {
      message: `the window is at most ${MAX_WINDOW_DAYS} days (${MAX_LONG_WINDOW_DAYS} with long=1)`,
      path: ['to'],
    },
  );
export type CalendarRangeQuery = z.infer<typeof CalendarRangeQuery>;

export const CalendarRangeResponse = z.object({
  from: z.string(),
  to: z.string(),
  events: z.array(CalendarEventDto),
  /** Per calendar: its zone and whether the first sync has finished. */
  calendars: z.array(z.object({ id: z.string(), timeZone: z.string().nullable(), synced: z.boolean() })),
});
export type CalendarRangeResponse = z.infer<typeof CalendarRangeResponse>;

export const OccurrenceParams = z.object({ id: z.string().uuid(), originalStart: OriginalStart });
export const SeriesParams = z.object({ id: z.string().uuid() });

/**
 * A change to one occurrence. Only these fields (unknown ones are refused, not dropped: a client sending
 * `location` must learn it was not applied). `end` after `start` is checked here when both are sent and by
 * the service against the stored occurrence when only one is.
 */
export const OccurrencePatch = z
  .strictObject({
    // A date-time, or a date (all-day series only: the service checks which the series is).
    start: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
    end: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).optional(),
    summary: EditableText(TEXT_LIMITS.summary).optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'nothing to change' })
  .refine((patch) => !patch.start || !patch.end || Date.parse(patch.end) > Date.parse(patch.start), {
    message: 'end must be after start',
    path: ['end'],
  });
export type OccurrencePatch = z.infer<typeof OccurrencePatch>;

/** "This and following": the series ends before `from` (an original start) and a new series starts there. */
export const SplitSeries = z.strictObject({ from: OriginalStart });

export const WritebackStatus = z.enum(['pending', 'in_flight', 'done', 'failed']);
export const WritebackDto = z.object({
  id: z.number().int(),
  operation: z.enum(['cancel_occurrence', 'patch_occurrence', 'delete_series', 'split_series']),
  googleEventId: z.string(),
  status: WritebackStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  doneAt: z.string().nullable(),
});
export type WritebackDto = z.infer<typeof WritebackDto>;

export const EditResponse = z.object({ event: SeriesEvent, writeback: WritebackDto });
export const SplitResponse = z.object({ old: SeriesEvent, next: SeriesEvent, writeback: WritebackDto });
export type EditResponse = z.infer<typeof EditResponse>;

export const BusyQuery = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((q) => Date.parse(q.to) > Date.parse(q.from), { message: 'to must be after from', path: ['to'] })
  .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 92 * 86_400_000, {
    message: 'free/busy windows are at most 92 days',
    path: ['to'],
  });
export const BusyResponse = z.object({
  from: z.string(),
  to: z.string(),
  busy: z.array(z.object({ start: z.string(), end: z.string() })),
});
export type BusyResponse = z.infer<typeof BusyResponse>;
