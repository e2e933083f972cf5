import type { EmailSummary } from '@firstlight/contracts';
import { useCallback, useMemo, useRef, useState } from 'react';
import { compareNewestFirst, emailKey } from './email-order.ts';

/**
 * Mail newer than the top row, held back behind the "N new messages" button so the list does not move, and the
 * last refresh error. `hasGap`: the held rows once filled a whole page, so more may sit between them and the
 * list, and showing them reloads instead.
 */
export function useHeldRows() {
  const [rows, setRows] = useState<EmailSummary[]>([]);
  const [error, setErrorState] = useState<string | null>(null);
  const current = useRef({ rows: new Map<string, EmailSummary>(), hasGap: false });

  /** Adds rows to those held; returns the keys of every held row. */
  const hold = useCallback((incoming: EmailSummary[], filledPage: boolean) => {
    const state = current.current;
    for (const email of incoming) state.rows.set(emailKey(email), email);
    state.hasGap ||= filledPage;
    if (incoming.length > 0) setRows([...state.rows.values()].sort(compareNewestFirst));
    return new Set(state.rows.keys());
  }, []);

  /** Hands the held rows over (newest first) and holds nothing any more. */
  const take = useCallback(() => {
    const state = current.current;
    const taken = { rows: [...state.rows.values()].sort(compareNewestFirst), hasGap: state.hasGap };
    current.current = { rows: new Map(), hasGap: false };
    setRows([]);
    return taken;
  }, []);

  const setError = useCallback((reason: unknown) => {
    setErrorState(reason === null ? null : reason instanceof Error ? reason.message : String(reason));
  }, []);

  return useMemo(() => ({ rows, error, hold, take, setError }), [rows, error, hold, take, setError]);
}

export type HeldRows = ReturnType<typeof useHeldRows>;
