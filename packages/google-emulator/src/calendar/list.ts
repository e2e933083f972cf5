/**
 * events.list and events.instances: which events Google returns for a query, before paging.
 * https://developers.google.com/calendar/api/v3/reference/events/list
 */
import type { CalendarEvent } from './model.js';
import {
  durationOf,
  instanceId,
  isAllDay,
  isRecurring,
  occurrencesOf,
  spanOf,
  virtualInstance,
} from './series.js';
import type { AccountCalendars, CalendarState } from './store.js';
import { instantToLocal, localToInstant, parseIsoDate } from './time.js';

export interface ListContext {
  account: AccountCalendars;
  calendar: CalendarState;
  /** Where expansion of an unbounded series stops when the client gives no timeMax. */
  horizon: (timeMin: number | undefined) => number;
}

export interface Window {
  min?: number;
  max?: number;
}

export interface Filters {
  window: Window;
  showDeleted: boolean;
  updatedMin?: number;
  q?: string;
  iCalUID?: string;
}

/** Google: timeMin bounds an event's end (exclusive), timeMax its start (exclusive). */
const overlaps = (span: { start: number; end: number }, w: Window) =>
  (w.max === undefined || span.start < w.max) && (w.min === undefined || span.end > w.min);

const zoneOf = (ctx: ListContext) => ctx.calendar.entry.timeZone;

/** Where an exception's occurrence was before it was moved or cancelled. */
function originalSpan(event: CalendarEvent, parent: CalendarEvent | undefined, zone: string) {
  const original = event.originalStartTime;
  const duration = parent ? durationOf(parent) : 0;
  if (original?.date) {
    const start = localToInstant(parseIsoDate(original.date), zone);
    return { start, end: start + Math.max(duration, 1) };
  }
  if (original?.dateTime) {
    const start = Date.parse(original.dateTime);
    return { start, end: start + Math.max(duration, 1) };
  }
  return spanOf(event, zone);
}

/** The span a list filters an event by: a moved instance by where it is now, a cancelled one by where it was. */
function filterSpan(ctx: ListContext, event: CalendarEvent) {
  const parent = event.recurringEventId ? ctx.calendar.events.get(event.recurringEventId)?.event : undefined;
  if (event.recurringEventId && (event.status === 'cancelled' || !event.start)) {
    return originalSpan(event, parent, zoneOf(ctx));
  }
  return spanOf(event, zoneOf(ctx));
}

/** An exception as seen through its parent: a deleted series cancels its exceptions too. */
function throughParent(ctx: ListContext, event: CalendarEvent): CalendarEvent {
  const parent = event.recurringEventId ? ctx.calendar.events.get(event.recurringEventId)?.event : undefined;
  return parent?.status === 'cancelled' ? { ...event, status: 'cancelled' } : event;
}

/** Occurrences of one series overlapping the window, with its exceptions in place of the originals. */
export function seriesInstances(
  ctx: ListContext,
  parent: CalendarEvent,
  window: Window,
  showDeleted: boolean,
) {
  const zone = zoneOf(ctx);
  const stopInstant = window.max ?? ctx.horizon(window.min);
  const stop = isAllDay(parent) ? instantToLocal(stopInstant, zone) : stopInstant;
  const exceptions = new Map(ctx.calendar.exceptionsOf(parent.id).map((s) => [s.event.id, s.event]));
  const cancelledSeries = parent.status === 'cancelled';
  const out: CalendarEvent[] = [];
  for (const occurrence of occurrencesOf(parent, zone, stop)) {
    if (exceptions.has(instanceId(parent.id, occurrence.start, isAllDay(parent)))) continue;
    const instance = virtualInstance(parent, occurrence.start, zone);
    if (!overlaps(spanOf(instance, zone), window)) continue;
    out.push(cancelledSeries ? { ...instance, status: 'cancelled' } : instance);
  }
  for (const exception of exceptions.values()) {
    const seen = throughParent(ctx, exception);
    if (seen.status === 'cancelled' && !showDeleted) continue;
    if (overlaps(filterSpan(ctx, seen), window)) out.push(seen);
  }
  return out;
}

function matchesText(event: CalendarEvent, q: string): boolean {
  const haystack = [
    event.summary,
    event.description,
    event.location,
    ...(event.attendees ?? []).map((a) => a.email),
  ]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
  return q
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** Stored events in their stable (insertion) order. */
const inOrder = (ctx: ListContext) => [...ctx.calendar.events.values()].sort((a, b) => a.order - b.order);

/** singleEvents=false: singles, parents and exceptions; unchanged occurrences are not returned. */
export function eventsAsStored(ctx: ListContext, f: Filters): CalendarEvent[] {
  const out: CalendarEvent[] = [];
  for (const { event: stored } of inOrder(ctx)) {
    const event = throughParent(ctx, stored);
    if (f.q && !matchesText(event, f.q)) continue;
    if (f.iCalUID && event.iCalUID !== f.iCalUID) continue;
    if (f.updatedMin !== undefined && Date.parse(event.updated) < f.updatedMin) continue;
    if (event.status === 'cancelled') {
      // Google (showDeleted): "Cancelled instances of recurring events (but not the underlying recurring
      // event) will still be included if showDeleted and singleEvents are both False"; with updatedMin,
      // "entries deleted since this time will always be included regardless of showDeleted".
      // An exception of a deleted series is seen as deleted, not as a cancelled instance.
      const cancelledInstanceOfLiveSeries = stored.recurringEventId !== undefined && event === stored;
      if (!f.showDeleted && f.updatedMin === undefined && !cancelledInstanceOfLiveSeries) continue;
    }
    if (f.window.min !== undefined || f.window.max !== undefined) {
      const touches = isRecurring(event)
        ? seriesInstances(ctx, { ...event, status: 'confirmed' }, f.window, false).length > 0
        : overlaps(filterSpan(ctx, event), f.window);
      if (!touches) continue;
    }
    out.push(event);
  }
  return out;
}

/** singleEvents=true: every occurrence expanded, no parents. */
export function eventsExpanded(ctx: ListContext, f: Filters): CalendarEvent[] {
  const out: CalendarEvent[] = [];
  for (const { event } of inOrder(ctx)) {
    if (f.iCalUID && event.iCalUID !== f.iCalUID) continue;
    if (event.recurringEventId && ctx.calendar.events.has(event.recurringEventId)) continue; // via its parent
    if (event.status === 'cancelled' && !f.showDeleted && !isRecurring(event)) continue;
    const candidates = isRecurring(event)
      ? event.status === 'cancelled' && !f.showDeleted
        ? []
        : seriesInstances(ctx, event, f.window, f.showDeleted)
      : overlaps(filterSpan(ctx, event), f.window)
        ? [event]
        : [];
    for (const c of candidates) {
      if (f.q && !matchesText(c, f.q)) continue;
      if (f.updatedMin !== undefined && Date.parse(c.updated) < f.updatedMin) continue;
      out.push(c);
    }
  }
  return sortByStart(ctx, out);
}

export function sortByStart(ctx: ListContext, events: CalendarEvent[]): CalendarEvent[] {
  const keyed = events.map((e) => ({ e, start: filterSpan(ctx, e).start }));
  keyed.sort((a, b) => a.start - b.start || (a.e.id < b.e.id ? -1 : a.e.id > b.e.id ? 1 : 0));
  return keyed.map((k) => k.e);
}

/** With a syncToken: everything written since, deletions included, in stable order. */
export function changesSince(ctx: ListContext, since: number, singleEvents: boolean): CalendarEvent[] {
  const changed = inOrder(ctx).filter((s) => s.changeSeq > since);
  if (!singleEvents) return changed.map((s) => throughParent(ctx, s.event));
  const out: CalendarEvent[] = [];
  for (const { event } of changed) {
    if (isRecurring(event)) out.push(...seriesInstances(ctx, event, {}, true));
    else out.push(throughParent(ctx, event));
  }
  return out;
}
