import type { CalendarEventDto, OccurrencePatch, SeriesEvent } from '@firstlight/contracts';

/**
 * The optimistic override of a change. A new start without a new end drops an earlier override's end: the
 * server then keeps the series' duration (calendar-service's editOccurrence), and an old end left behind could
 * fall before the new start, which the engine rejects (the whole series would show its fallback until the reply).
 */
export function withoutStaleEnd(
  previous: SeriesEvent['exceptions']['overrides'][string] | undefined,
  patch: OccurrencePatch,
): SeriesEvent['exceptions']['overrides'][string] {
  const { end: _staleEnd, ...rest } = previous ?? {};
  return { ...(patch.start && !patch.end ? rest : previous), ...patch };
}

/** An optimistic edit of a series' exceptions; singles are left as they are. */
export function inSeriesExceptions(
  update: (exceptions: SeriesEvent['exceptions']) => SeriesEvent['exceptions'],
): (event: CalendarEventDto) => CalendarEventDto {
  return (event) => (event.kind === 'series' ? { ...event, exceptions: update(event.exceptions) } : event);
}

/** The event `id` of one window's list changed by `next` (null: removed). */
export function replaceEvent(
  list: CalendarEventDto[],
  id: string,
  next: (event: CalendarEventDto) => CalendarEventDto | null,
): CalendarEventDto[] {
  return list.flatMap((event) => {
    if (event.id !== id) return [event];
    const changed = next(event);
    return changed ? [changed] : [];
  });
}

/** The optimistic cancel of one occurrence: its start joins the series' cancelled list. */
export function cancelled(originalStart: string) {
  return inSeriesExceptions((exceptions) => ({
    ...exceptions,
    cancelled: [...exceptions.cancelled, originalStart],
  }));
}

/** The optimistic change of one occurrence: its override, without a stale end. */
export function changed(originalStart: string, patch: OccurrencePatch) {
  return inSeriesExceptions((exceptions) => ({
    ...exceptions,
    overrides: {
      ...exceptions.overrides,
      [originalStart]: withoutStaleEnd(exceptions.overrides[originalStart], patch),
    },
  }));
}
