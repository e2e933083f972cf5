import type { CalendarEventDto, OccurrencePatch, SeriesEvent, ServerMessage } from '@firstlight/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiRequestError } from '../../lib/api-client.ts';
import { cancelOccurrence, changeOccurrence, deleteSeries, fetchWindow } from './calendar-api.ts';
import { addDays } from './calendar-dates.ts';
import type { CalendarOccurrence } from './occurrences.ts';

export type LoadState = 'loading' | 'ready' | 'error';

/**
 * The events of one fetch window (the 6-week grid of a month, padded by a day each side so the same rows
 * serve every zone), cached per window; edits are optimistic and rolled back with a message if refused.
 */
export function useCalendarWindow(gridFirstDay: string, gridLastDay: string, onUnauthorized: () => void) {
  const cache = useRef(new Map<string, CalendarEventDto[]>());
  const [events, setEvents] = useState<CalendarEventDto[]>([]);
  const [loadState, setLoadState] = useState<LoadState>('loading');
  const [message, setMessage] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const windowKey = `${gridFirstDay}/${gridLastDay}`;
  const currentKey = useRef(windowKey);
  currentKey.current = windowKey;

  useEffect(() => {
    void reloads;
    const cached = cache.current.get(windowKey);
    if (cached) {
      setEvents(cached);
      setLoadState('ready');
      return;
    }
    const controller = new AbortController();
    setLoadState('loading');
    const from = new Date(`${addDays(gridFirstDay, -1)}T00:00:00Z`);
    const to = new Date(`${addDays(gridLastDay, 2)}T00:00:00Z`);
    fetchWindow(from, to, controller.signal)
      .then((response) => {
        cache.current.set(windowKey, response.events);
        setEvents(response.events);
        setLoadState('ready');
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiRequestError && error.status === 401) return onUnauthorized();
        setLoadState('error');
        setMessage(`Could not load the calendar: ${error instanceof Error ? error.message : String(error)}`);
      });
    return () => controller.abort();
  }, [windowKey, gridFirstDay, gridLastDay, reloads, onUnauthorized]);

  /** `calendar_ready`: a sync changed the stored events, so every cached window is stale. */
  const onMessage = useCallback((message: ServerMessage) => {
    if (message.type !== 'calendar_ready') return;
    cache.current.clear();
    setReloads((n) => n + 1);
  }, []);

  /** Applies a change to the event in the visible window and every cached one. */
  const replaceEvent = useCallback(
    (id: string, next: (event: CalendarEventDto) => CalendarEventDto | null) => {
      const apply = (list: CalendarEventDto[]) =>
        list.flatMap((event) => {
          if (event.id !== id) return [event];
          const changed = next(event);
          return changed ? [changed] : [];
        });
      for (const [key, list] of cache.current) cache.current.set(key, apply(list));
      setEvents(cache.current.get(currentKey.current) ?? []);
    },
    [],
  );

  const optimistic = useCallback(
    async (
      occurrence: CalendarOccurrence,
      change: (event: CalendarEventDto) => CalendarEventDto | null,
      call: () => Promise<SeriesEvent | null>,
      what: string,
    ) => {
      const before = occurrence.event;
      setMessage(null);
      replaceEvent(before.id, change);
      try {
        const saved = await call();
        if (saved) replaceEvent(before.id, () => saved);
      } catch (error) {
        // Roll back: put the event back as it was (a deleted one re-appears where it was in each window).
        for (const [key, list] of cache.current) {
          const index = list.findIndex((event) => event.id === before.id);
          if (index >= 0) cache.current.set(key, list.with(index, before));
          else cache.current.delete(key);
        }
        setReloads((n) => n + 1);
        const reason = error instanceof Error ? error.message : String(error);
        setMessage(`Could not ${what} "${occurrence.title}": ${reason}. The change was undone.`);
      }
    },
    [replaceEvent],
  );

  const cancel = useCallback(
    (occurrence: CalendarOccurrence) => {
      const originalStart = occurrence.originalStart;
      if (!originalStart) return Promise.resolve();
      return optimistic(
        occurrence,
        inSeriesExceptions((exceptions) => ({
          ...exceptions,
          cancelled: [...exceptions.cancelled, originalStart],
        })),
        async () => (await cancelOccurrence(occurrence.event.id, originalStart)).event,
        'cancel',
      );
    },
    [optimistic],
  );

  const change = useCallback(
    (occurrence: CalendarOccurrence, patch: OccurrencePatch) => {
      const originalStart = occurrence.originalStart;
      if (!originalStart) return Promise.resolve();
      return optimistic(
        occurrence,
        inSeriesExceptions((exceptions) => ({
          ...exceptions,
          overrides: {
            ...exceptions.overrides,
            [originalStart]: withoutStaleEnd(exceptions.overrides[originalStart], patch),
          },
        })),
        async () => (await changeOccurrence(occurrence.event.id, originalStart, patch)).event,
        'change',
      );
    },
    [optimistic],
  );

  const remove = useCallback(
    (occurrence: CalendarOccurrence) =>
      optimistic(
        occurrence,
        () => null,
        async () => {
          await deleteSeries(occurrence.event.id);
          return null;
        },
        'delete the series of',
      ),
    [optimistic],
  );

  return {
    events,
    loadState,
    message,
    dismissMessage: () => setMessage(null),
    onMessage,
    cancel,
    change,
    remove,
  };
}

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
function inSeriesExceptions(
  update: (exceptions: SeriesEvent['exceptions']) => SeriesEvent['exceptions'],
): (event: CalendarEventDto) => CalendarEventDto {
  return (event) => (event.kind === 'series' ? { ...event, exceptions: update(event.exceptions) } : event);
}
