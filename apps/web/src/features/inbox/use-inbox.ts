import {
  EmailListResponse,
  type EmailSummary,
  type IngestionProgress,
  type ServerMessage,
} from '@firstlight/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { requestJson } from '../../lib/api-client.ts';

const PAGE = 100;

export interface InboxState {
  emails: EmailSummary[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  progress: IngestionProgress | null;
  storedCount: number;
}

/** Newest first, without duplicates, whatever order pages and refreshes arrive in. */
function merge(current: EmailSummary[], incoming: EmailSummary[]): EmailSummary[] {
  const byId = new Map(current.map((email) => [email.id, email]));
  for (const email of incoming) byId.set(email.id, email);
  return [...byId.values()].sort(
    (a, b) => b.internalDate.localeCompare(a.internalDate) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
  );
}

export function useInbox() {
  const [state, setState] = useState<InboxState>({
    emails: [],
    nextCursor: null,
    loading: true,
    error: null,
    progress: null,
    storedCount: 0,
  });
  const loadingOlder = useRef(false);

  const refreshNewest = useCallback(async () => {
    try {
      const page = await requestJson(`/api/emails?limit=${PAGE}`, EmailListResponse);
      setState((previous) => ({
        ...previous,
        loading: false,
        error: null,
        emails: merge(previous.emails, page.emails),
        // The first load decides where "older" starts; later refreshes only add newer rows.
        nextCursor: previous.emails.length === 0 ? page.nextCursor : previous.nextCursor,
      }));
    } catch (error) {
      setState((previous) => ({ ...previous, loading: false, error: (error as Error).message }));
    }
  }, []);

  const loadOlder = useCallback(async () => {
    if (loadingOlder.current || !state.nextCursor) return;
    loadingOlder.current = true;
    try {
      const page = await requestJson(
        `/api/emails?limit=${PAGE}&cursor=${encodeURIComponent(state.nextCursor)}`,
        EmailListResponse,
      );
      setState((previous) => ({
        ...previous,
        emails: merge(previous.emails, page.emails),
        nextCursor: page.nextCursor,
      }));
    } finally {
      loadingOlder.current = false;
    }
  }, [state.nextCursor]);

  const onMessage = useCallback(
    (message: ServerMessage) => {
      switch (message.type) {
        case 'snapshot':
          setState((previous) => ({
            ...previous,
            progress: message.ingestion,
            storedCount: message.emailCount,
          }));
          void refreshNewest();
          break;
        case 'emails_ready':
          void refreshNewest();
          break;
        case 'batch_complete':
          setState((previous) =>
            previous.progress
              ? {
                  ...previous,
                  // Counters only move forward, even if events arrive out of order.
                  progress: {
                    ...previous.progress,
                    ingested: Math.max(previous.progress.ingested, message.ingested),
                    total: message.total ?? previous.progress.total,
                    currentTier: message.tier,
                  },
                }
              : previous,
          );
          break;
        case 'job_status':
          setState((previous) =>
            previous.progress
              ? {
                  ...previous,
                  progress: { ...previous.progress, status: message.status, lastError: message.reason },
                }
              : previous,
          );
          break;
      }
    },
    [refreshNewest],
  );

  useEffect(() => {
    void refreshNewest();
  }, [refreshNewest]);

  return { state, loadOlder, onMessage };
}
