/**
 * events.get/insert/update/patch/delete on singles, series parents and single instances.
 * An instance is addressed by its id `{parentId}_{original start}`; writing it creates or updates an
 * exception (an event with `recurringEventId` + `originalStartTime`) and never touches the parent: deleting
 * one occurrence does not add an EXDATE (https://developers.google.com/calendar/api/guides/recurringevents).
 */
import { alreadyDeleted, GoogleError, invalidParameter, notFound } from './errors.js';
import type { ListContext } from './list.js';
import { type CalendarEvent, type EventDateTime, type EventWrite, WRITABLE_FIELDS } from './model.js';
import { isOccurrence, isRecurring, parseInstanceId, virtualInstance } from './series.js';
import type { StoredEvent } from './store.js';
import { formatInstant, ianaZone, localToInstant, parseIsoDate, RFC3339 } from './time.js';

/** Google event ids: base32hex characters (a-v, 0-9), 5 to 1024 of them. */
const EVENT_ID = /^[a-v0-9]{5,1024}$/;

export interface Target {
  /** The stored event (single, parent, or an existing exception). */
  stored?: StoredEvent;
  /** For an instance with no exception yet: its parent and what it would look like unmodified. */
  parent?: CalendarEvent;
  virtual?: CalendarEvent;
}

/** Finds what an event id names: a stored event or an unmodified occurrence of a series. */
export function resolve(ctx: ListContext, eventId: string): Target {
  const stored = ctx.calendar.events.get(eventId);
  if (stored) return { stored };
  const parsed = parseInstanceId(eventId);
  const parent = parsed && ctx.calendar.events.get(parsed.parentId)?.event;
  const zone = ctx.calendar.entry.timeZone;
  if (!parsed || !parent || !isRecurring(parent) || !isOccurrence(parent, parsed.start, zone))
    throw notFound();
  const virtual = virtualInstance(parent, parsed.start, zone);
  return { parent, virtual: parent.status === 'cancelled' ? { ...virtual, status: 'cancelled' } : virtual };
}

export function getEvent(ctx: ListContext, eventId: string): CalendarEvent {
  const target = resolve(ctx, eventId);
  return target.stored?.event ?? target.virtual!;
}

/** Google accepts a dateTime without offset when timeZone says where it is; we store it with its offset. */
function normalizeTime(value: EventDateTime | undefined, name: 'start' | 'end', zone: string): EventDateTime {
  if (!value || (value.date === undefined && value.dateTime === undefined)) {
    throw new GoogleError(400, 'required', `Missing ${name} time.`);
  }
  if (value.timeZone !== undefined && !ianaZone(value.timeZone)) throw invalidParameter(`${name}.timeZone`);
  if (value.date !== undefined && value.date !== null) {
    try {
      parseIsoDate(value.date);
    } catch {
      throw invalidParameter(`${name}.date`, `Invalid ${name} time.`);
    }
    return { date: value.date };
  }
  const dateTime = value.dateTime!;
  const readIn = value.timeZone ?? zone;
  const instant = RFC3339.test(dateTime)
    ? Date.parse(dateTime)
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(dateTime)
      ? localToInstant(Date.parse(`${dateTime}Z`), readIn)
      : Number.NaN;
  if (Number.isNaN(instant)) throw invalidParameter(`${name}.dateTime`, `Invalid ${name} time.`);
  return {
    dateTime: formatInstant(instant, readIn),
    ...(value.timeZone ? { timeZone: value.timeZone } : {}),
  };
}

/** Checks and normalizes what a write leaves as the event's times and rule. */
function checkEvent(event: CalendarEvent, zone: string): CalendarEvent {
  const start = normalizeTime(event.start, 'start', zone);
  const end = normalizeTime(event.end, 'end', zone);
  if ((start.date === undefined) !== (end.date === undefined))
    throw invalidParameter('end', 'Invalid end time.');
  const startKey = start.date ?? Date.parse(start.dateTime!);
  const endKey = end.date ?? Date.parse(end.dateTime!);
  if (endKey < startKey) throw new GoogleError(400, 'timeRangeEmpty', 'The specified time range is empty.');
  if (isRecurring(event) && start.date === undefined && !start.timeZone) {
    // Google: "Missing time zone definition for start time." on a recurring event without start.timeZone.
    throw new GoogleError(400, 'invalid', 'Missing time zone definition for start time.');
  }
  for (const line of event.recurrence ?? []) {
    if (!/^(RRULE|EXRULE|RDATE|EXDATE)[;:]/i.test(line))
      throw invalidParameter('recurrence', 'Invalid recurrence rule.');
  }
  return { ...event, start, end };
}

const pickWritable = (body: EventWrite): EventWrite =>
  Object.fromEntries(WRITABLE_FIELDS.filter((k) => body[k] !== undefined).map((k) => [k, body[k]]));

/** RFC 5545 §3.8.7.4: the sequence grows on changes to the schedule (start, end, rule) or place. */
function nextSequence(before: CalendarEvent, after: CalendarEvent): number {
  const moved = ['start', 'end', 'recurrence', 'location'].some(
    (k) =>
      JSON.stringify(before[k as keyof CalendarEvent]) !== JSON.stringify(after[k as keyof CalendarEvent]),
  );
  return before.sequence + (moved ? 1 : 0);
}

/** After a parent's rule or start changed: exceptions for occurrences that no longer exist are cancelled. */
function cancelOrphanedExceptions(ctx: ListContext, parent: CalendarEvent): void {
  const zone = ctx.calendar.entry.timeZone;
  for (const { event } of ctx.calendar.exceptionsOf(parent.id)) {
    const parsed = parseInstanceId(event.id);
    if (event.status === 'cancelled' || !parsed || isOccurrence(parent, parsed.start, zone)) continue;
    ctx.account.put(ctx.calendar, { ...event, status: 'cancelled' });
  }
}

/** Applies a new version of an event (single, parent, or instance) and stores it as one change. */
function store(ctx: ListContext, target: Target, next: CalendarEvent): CalendarEvent {
  const before = target.stored?.event ?? target.virtual!;
  const checked = checkEvent(next, ctx.calendar.entry.timeZone);
  // An instance keeps who it is: id, parent and original start cannot be rewritten.
  const fixed = {
    id: before.id,
    recurringEventId: before.recurringEventId,
    originalStartTime: before.originalStartTime,
  };
  const written = { ...checked, ...fixed, sequence: nextSequence(before, checked) };
  if (written.recurringEventId === undefined) delete written.recurringEventId;
  if (written.originalStartTime === undefined) delete written.originalStartTime;
  else delete written.recurrence; // an instance has no rule of its own
  const saved = ctx.account.put(ctx.calendar, written).event;
  if (isRecurring(saved)) cancelOrphanedExceptions(ctx, saved);
  return saved;
}

function mergeTime(
  before: EventDateTime | undefined,
  patch: EventDateTime | undefined,
): EventDateTime | undefined {
  if (!patch) return before;
  const merged = { ...before, ...patch };
  if (patch.date !== undefined) delete merged.dateTime;
  if (patch.dateTime !== undefined) delete merged.date;
  return merged;
}

/** PATCH: fields given replace the stored ones; nested objects merge; arrays replace (Google's patch rules). */
export function patchEvent(ctx: ListContext, eventId: string, body: EventWrite): CalendarEvent {
  const target = resolve(ctx, eventId);
  const before = target.stored?.event ?? target.virtual!;
  const patch = pickWritable(body);
  const next: CalendarEvent = {
    ...before,
    ...patch,
    start: mergeTime(before.start, patch.start)!,
    end: mergeTime(before.end, patch.end)!,
    reminders: patch.reminders ? { ...before.reminders, ...patch.reminders } : before.reminders,
  } as CalendarEvent;
  return store(ctx, target, next);
}

/** PUT: the writable fields are replaced by the body's (absent ones are cleared). */
export function updateEvent(ctx: ListContext, eventId: string, body: EventWrite): CalendarEvent {
  const target = resolve(ctx, eventId);
  const before = target.stored?.event ?? target.virtual!;
  const kept = Object.fromEntries(
    Object.entries(before).filter(([k]) => !(WRITABLE_FIELDS as readonly string[]).includes(k)),
  );
  const next = { status: before.status, reminders: { useDefault: true }, ...kept, ...pickWritable(body) };
  if (before.recurringEventId) delete (next as Partial<CalendarEvent>).recurrence;
  return store(ctx, target, next as CalendarEvent);
}

/** DELETE: a series or single becomes cancelled; one instance becomes a cancelled exception. */
export function deleteEvent(ctx: ListContext, eventId: string): void {
  const target = resolve(ctx, eventId);
  const before = target.stored?.event ?? target.virtual!;
  if (before.status === 'cancelled') throw alreadyDeleted();
  ctx.account.put(ctx.calendar, { ...before, status: 'cancelled' });
}

/** INSERT: a new single or series (the second half of a 'this and following' split is one). */
export function insertEvent(ctx: ListContext, body: EventWrite, newId: () => string): CalendarEvent {
  const id = body.id ?? newId();
  if (!EVENT_ID.test(id)) throw invalidParameter('id', 'Invalid resource id value.');
  if (ctx.calendar.events.has(id))
    throw new GoogleError(409, 'duplicate', 'The requested identifier already exists.');
  const email = ctx.account.email;
  const now = new Date(ctx.account.writeTime()).toISOString();
  const event = checkEvent(
    {
      kind: 'calendar#event',
      etag: '',
      id,
      status: 'confirmed',
      htmlLink: htmlLinkOf(id, ctx.calendar.entry.id),
      created: now,
      updated: now,
      creator: { email, self: true },
      organizer: { email, self: true },
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      eventType: 'default',
      ...pickWritable(body),
    } as CalendarEvent,
    ctx.calendar.entry.timeZone,
  );
  return ctx.account.put(ctx.calendar, event).event;
}

/** Google's htmlLink: `https://www.google.com/calendar/event?eid=` + base64url("{eventId} {calendarId}"). */
export function htmlLinkOf(eventId: string, calendarId: string): string {
  return `https://www.google.com/calendar/event?eid=${Buffer.from(`${eventId} ${calendarId}`).toString('base64url')}`;
}
