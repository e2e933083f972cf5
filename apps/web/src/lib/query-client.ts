import { QueryClient } from '@tanstack/react-query';

/**
 * One cache for the whole app. No automatic retries (a failed call shows its error and a "Try again", as
 * before) and no refetch on window focus: the WebSocket tells the page when data changed, and a refetch of the
 * inbox's infinite list would re-read every loaded page.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false },
      mutations: { retry: false },
    },
  });
}
