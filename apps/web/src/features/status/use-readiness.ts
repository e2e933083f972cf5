import { ReadinessResponse } from '@firstlight/contracts';
import { useQuery } from '@tanstack/react-query';
import { requestJson } from '../../lib/api-client.ts';

export type ReadinessState =
  | { kind: 'loading' }
  | { kind: 'loaded'; readiness: ReadinessResponse }
  | { kind: 'error'; message: string };

/** Polls /readyz: it answers 200 when ready and 503 (with the same body) when not. */
export function useReadiness(intervalMs = 5000): ReadinessState {
  const query = useQuery({
    queryKey: ['readyz'],
    queryFn: ({ signal }) => requestJson('/readyz', ReadinessResponse, { acceptStatuses: [503], signal }),
    refetchInterval: intervalMs,
  });
  if (query.isError) return { kind: 'error', message: query.error.message };
  if (query.data) return { kind: 'loaded', readiness: query.data };
  return { kind: 'loading' };
}
