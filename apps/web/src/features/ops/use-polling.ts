import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiRequestError } from '../../lib/api-client.ts';

/** How often the ops page re-reads the API: live enough to watch a backfill, cheap enough for the database. */
export const OPS_POLL_MS = 3000;

export interface Polled<T> {
  data: T | null;
  /** The last failure (kept while older data stays on screen); 401/403 end the polling. */
  error: ApiRequestError | Error | null;
  updatedAt: Date | null;
}

/** Calls `load` now and every `OPS_POLL_MS`, while the tab is visible; one request in flight at a time. */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, enabled = true): Polled<T> {
  const [state, setState] = useState<Polled<T>>({ data: null, error: null, updatedAt: null });
  const loader = useRef(load);
  loader.current = load;

  const tick = useCallback(async (signal: AbortSignal): Promise<boolean> => {
    try {
      const data = await loader.current(signal);
      setState({ data, error: null, updatedAt: new Date() });
      return true;
    } catch (error) {
      if (signal.aborted) return false;
      setState((previous) => ({ ...previous, error: error as Error }));
      return !(error instanceof ApiRequestError && (error.status === 401 || error.status === 403));
    }
  }, []);

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      const keepGoing = document.hidden ? true : await tick(controller.signal);
      if (keepGoing && !controller.signal.aborted) timer = setTimeout(loop, OPS_POLL_MS);
    };
    void loop();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [enabled, tick]);
  return state;
}
