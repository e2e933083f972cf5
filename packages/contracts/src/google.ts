import { z } from 'zod';

/**
 * What Google sends, as the API relies on it: `messages.get(format=metadata)` and Calendar `events.list` items.
 * Data from Google is parsed, not trusted (STYLE §8). Text is normalised on the way in, because PostgreSQL
 * refuses U+0000 in `text`, `text[]` and `jsonb`, and `jsonb` also refuses lone UTF-16 surrogates (JSON.stringify
 * writes them as `\udXXX` escapes, which PostgreSQL rejects): one such character in one message would otherwise
 * fail the statement that stores its whole chunk.
 */

/** `String.prototype.toWellFormed` (ES2024; Node ≥ 20) is not in the ES2023 lib the repo compiles against. */
type WellFormed = string & { toWellFormed(): string };

/**
 * Cut to `max` UTF-16 units, then NUL removed and lone surrogates (also one the cut made) replaced by U+FFFD.
 * Cutting first keeps a megabyte-long value from costing more than a short one.
 */
export function cleanText(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  return (cut as WellFormed).toWellFormed().replaceAll('\u0000', '');
}

/** A string from Google, cleaned for PostgreSQL and bounded. */
export const googleText = (max: number) => z.string().transform((value) => cleanText(value, max));

/** Gmail message and thread ids: URL-safe base64-ish, short (they are keys of `emails`). */
export const GmailId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a Gmail id');

const GmailHeader = z.object({ name: z.string(), value: z.string() });

export const GMAIL_LIMITS = { header: 2000, snippet: 2000, label: 256, labels: 500 } as const;

export const GmailMessageMetadata = z.object({
  id: GmailId,
  // Epoch milliseconds as a decimal string (int64 in Google's discovery document); 15 digits stay in Date's range.
  internalDate: z.string().regex(/^\d{1,15}$/, 'internalDate is not epoch milliseconds'),
  threadId: GmailId.optional(),
  labelIds: z
    .array(googleText(GMAIL_LIMITS.label))
    .max(GMAIL_LIMITS.labels)
    .transform((labels) => labels.filter((label) => label !== ''))
    .optional(),
  snippet: googleText(GMAIL_LIMITS.snippet).optional(),
  // A JS number read back from `bigint` (packages/db parses int8 as a number): keep it exact.
  sizeEstimate: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
  historyId: z
    .string()
    .regex(/^\d{1,20}$/)
    .optional(),
  payload: z
    .object({
      // One malformed header loses that header only, not the message's From/To/Subject.
      headers: z
        .array(z.unknown())
        .transform((items) =>
          items.flatMap((item) => {
            const header = GmailHeader.safeParse(item);
            return header.success ? [header.data] : [];
          }),
        )
        .optional(),
    })
    .optional(),
});
export type GmailMessageMetadata = z.infer<typeof GmailMessageMetadata>;
/** Without these a message cannot be stored (they are its key and its place in the inbox). */
export const GMAIL_REQUIRED_FIELDS = ['id', 'internalDate'] as const;

/**
 * Calendar event ids: Google's are base32hex (5–1024 chars); instances add `_<original start>`, split series
 * `_R<date>`. Bounded because (user, calendar, id) is a unique btree key.
 */
export const CalendarEventId = z.string().regex(/^[A-Za-z0-9_\-.@]{1,1024}$/, 'not a Calendar event id');

/** A calendar id (an email address, `…@group.calendar.google.com`, `en.usa#holiday@…`): printable, bounded. */
export const CalendarId = z
  .string()
  .min(1)
  .max(1024)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  .refine((id) => !/[\u0000-\u001f\u007f]/.test(id) && (id as WellFormed).toWellFormed() === id, {
    message: 'not a calendar id',
  });

const EventTime = z.object({
  date: z.iso.date().nullish(),
  dateTime: z.iso.datetime({ offset: true }).nullish(),
  timeZone: googleText(100).nullish(),
});

export const CALENDAR_LIMITS = { summary: 8000, location: 2000, ruleLine: 2000, ruleLines: 100 } as const;

export const GoogleCalendarEvent = z.object({
  id: CalendarEventId,
  status: z.enum(['confirmed', 'tentative', 'cancelled']).nullish(),
  summary: googleText(CALENDAR_LIMITS.summary).nullish(),
  location: googleText(CALENDAR_LIMITS.location).nullish(),
  start: EventTime.nullish(),
  end: EventTime.nullish(),
  recurrence: z.array(googleText(CALENDAR_LIMITS.ruleLine)).max(CALENDAR_LIMITS.ruleLines).nullish(),
  recurringEventId: CalendarEventId.nullish(),
  originalStartTime: EventTime.nullish(),
  etag: googleText(256).nullish(),
  updated: z.iso.datetime({ offset: true }).nullish(),
});
export type GoogleCalendarEvent = z.infer<typeof GoogleCalendarEvent>;
/**
 * Fields whose loss would change what the event is (a series read as a single, an instance as an event of
 * its own, a cancellation missed, no time): when one does not parse, the event is refused, not stored wrong.
 */
export const CALENDAR_REQUIRED_FIELDS = [
  'id',
  'status',
  'start',
  'end',
  'recurrence',
  'recurringEventId',
  'originalStartTime',
] as const;

export type Lenient<T> =
  | {
      ok: true;
      data: T /** `field: why` for each optional field that did not parse and was left out. */;
      dropped: string[];
    }
  | { ok: false; reason: string };

/**
 * Parses `raw` with `schema`, leaving out the top-level fields that do not parse unless they are `required`:
 * a message or event is stored with what could be read. The reason names a field and zod's message, never the
 * value (it is shown on the ops page).
 */
export function parseLeniently<T>(
  schema: z.ZodType<T>,
  raw: unknown,
  required: readonly string[],
): Lenient<T> {
  let input = raw;
  const dropped: string[] = [];
  // Each round leaves out at least one field, so this ends; one or two rounds cover nearly every input.
  for (;;) {
    const parsed = schema.safeParse(input);
    if (parsed.success) return { ok: true, data: parsed.data, dropped };
    const issues = parsed.error.issues;
    const fatal = issues.find(
      (issue) => typeof issue.path[0] !== 'string' || required.includes(issue.path[0]),
    );
    if (fatal) return { ok: false, reason: describe(fatal) };
    const rest: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    for (const field of new Set(issues.map((issue) => issue.path[0] as string))) {
      delete rest[field];
      dropped.push(describe(issues.find((issue) => issue.path[0] === field)!));
    }
    input = rest;
  }
}

type Issue = z.ZodError['issues'][number];

/** Array indexes become `[]`, so reasons stay few (they are part of the failures table's key). */
function describe(issue: Issue): string {
  const path =
    issue.path.length > 0
      ? issue.path.map((part) => (typeof part === 'number' ? '[]' : String(part))).join('.')
      : 'item';
  return `${path}: ${issue.message}`.slice(0, 300);
}
