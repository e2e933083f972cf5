import { type QueryKey, useQuery } from '@tanstack/react-query';
import { ApiRequestError } from '../../lib/api-client.ts';

/** How often the ops page re-reads the API: live enough to watch a backfill, cheap enough for the database. */
export const OPS_POLL_MS = 3000;

export interface Polled<T> {
  data: T | null;
  /** The last failure (kept while older data stays on screen); 401/403 end the polling. */
  error: ApiRequestError | Error | null;
  updatedAt: Date | null;
}

const refused = (error: unknown) =>
  error instanceof ApiRequestError && (error.status === 401 || error.status === 403);

/**
 * Calls `load` now and every `OPS_POLL_MS` (TanStack Query's refetchInterval: one request in flight at a time,
 * paused while the tab is hidden), until the API says the user may not see it.
 */
export function usePolling<T>(
  key: QueryKey,
  load: (signal: AbortSignal) => Promise<T>,
  enabled = true,
): Polled<T> {
  const query = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => load(signal),
    enabled,
    refetchInterval: (current) => (refused(current.state.error) ? false : OPS_POLL_MS),
  });
  return {
    data: query.data ?? null,
    error: query.error,
    updatedAt: query.dataUpdatedAt ? new Date(query.dataUpdatedAt) : null,
  };
}
