import type { CalendarEventDto, CalendarRangeResponse, SeriesEvent } from '@firstlight/contracts';
import { keepPreviousData, type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { isUnauthorized } from '../../lib/api-client.ts';
import { useServerMessages } from '../../lib/realtime-context.tsx';
import { fetchWindow } from './calendar-api.ts';
import { addDays } from './calendar-dates.ts';
import { replaceEvent } from './calendar-edits.ts';
import type { CalendarOccurrence } from './occurrences.ts';

export type LoadState = 'loading' | 'ready' | 'error';

export const CALENDAR_KEY = ['calendar'] as const;

/**
 * The events of one fetch window (the 6-week grid of a month, padded by a day each side so the same rows
 * serve every zone), cached per window by the query cache until a sync says they changed (`calendar_ready`).
 */
export function useCalendarWindow(gridFirstDay: string, gridLastDay: string, onUnauthorized: () => void) {
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: [...CALENDAR_KEY, gridFirstDay, gridLastDay],
    queryFn: ({ signal }) =>
      fetchWindow(
        new Date(`${addDays(gridFirstDay, -1)}T00:00:00Z`),
        new Date(`${addDays(gridLastDay, 2)}T00:00:00Z`),
        signal,
      ),
    staleTime: Number.POSITIVE_INFINITY,
    // The month moved: keep showing the last one (marked loading) instead of an empty grid.
    placeholderData: keepPreviousData,
  });
  const unauthorized = isUnauthorized(query.error);
  useEffect(() => {
    if (unauthorized) onUnauthorized();
  }, [unauthorized, onUnauthorized]);
  // A sync changed the stored events, so every cached window is stale.
  useServerMessages((message) => {
    if (message.type === 'calendar_ready') void queryClient.invalidateQueries({ queryKey: CALENDAR_KEY });
  });
  const loadState: LoadState =
    query.isPending || query.isPlaceholderData ? 'loading' : query.isError ? 'error' : 'ready';
  const reason = query.error instanceof Error ? query.error.message : String(query.error);
  return {
    events: query.data?.events ?? [],
    loadState,
    loadError: query.isError && !unauthorized ? `Could not load the calendar: ${reason}` : null,
  };
}

/** Every cached window's events, changed by `next`. */
function replaceEverywhere(
  queryClient: QueryClient,
  id: string,
  next: (event: CalendarEventDto) => CalendarEventDto | null,
) {
  queryClient.setQueriesData<CalendarRangeResponse>({ queryKey: CALENDAR_KEY }, (data) =>
    data ? { ...data, events: replaceEvent(data.events, id, next) } : data,
  );
}

/** Rolls back: puts the event back as it was where it was; windows that did not have it are read again. */
function restoreEverywhere(queryClient: QueryClient, before: CalendarEventDto) {
  for (const [key, data] of queryClient.getQueriesData<CalendarRangeResponse>({ queryKey: CALENDAR_KEY })) {
    const index = data?.events.findIndex((event) => event.id === before.id) ?? -1;
    if (data && index >= 0)
      queryClient.setQueryData(key, { ...data, events: data.events.with(index, before) });
    else void queryClient.invalidateQueries({ queryKey: key, exact: true });
  }
}

/**
 * Edits are optimistic: applied to every cached window at once, replaced by the server's answer, and rolled back
 * with a message if refused.
 */
export function useOptimisticEdit() {
  const queryClient = useQueryClient();
  const [message, setMessage] = useState<string | null>(null);
  const apply = async (
    occurrence: CalendarOccurrence,
    change: (event: CalendarEventDto) => CalendarEventDto | null,
    call: () => Promise<SeriesEvent | null>,
    what: string,
  ) => {
    const before = occurrence.event;
    setMessage(null);
    await queryClient.cancelQueries({ queryKey: CALENDAR_KEY });
    replaceEverywhere(queryClient, before.id, change);
    try {
      const saved = await call();
      if (saved) replaceEverywhere(queryClient, before.id, () => saved);
    } catch (error) {
      restoreEverywhere(queryClient, before);
      const reason = error instanceof Error ? error.message : String(error);
      setMessage(`Could not ${what} "${occurrence.title}": ${reason}. The change was undone.`);
    }
  };
  return { apply, message, dismissMessage: () => setMessage(null) };
}
