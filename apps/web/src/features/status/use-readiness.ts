import { ReadinessResponse } from '@firstlight/contracts';
import { useEffect, useState } from 'react';
import { requestJson } from '../../lib/api-client.ts';

export type ReadinessState =
  | { kind: 'loading' }
  | { kind: 'loaded'; readiness: ReadinessResponse }
  | { kind: 'error'; message: string };

/** Polls /readyz: it answers 200 when ready and 503 (with the same body) when not. */
export function useReadiness(intervalMs = 5000): ReadinessState {
  const [state, setState] = useState<ReadinessState>({ kind: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    const load = () =>
      requestJson('/readyz', ReadinessResponse, { acceptStatuses: [503], signal: controller.signal })
        .then((readiness) => setState({ kind: 'loaded', readiness }))
        .catch((error: Error) => {
          if (!controller.signal.aborted) setState({ kind: 'error', message: error.message });
        });
    load();
    const timer = setInterval(load, intervalMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [intervalMs]);
  return state;
}
