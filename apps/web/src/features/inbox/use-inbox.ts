import {
  EMAIL_PAGE_MAX,
  EmailListResponse,
  type EmailSummary,
  INBOX_FIRST_PAGE_URL,
  type IngestionProgress,
  type ServerMessage,
} from '@firstlight/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { requestJson } from '../../lib/api-client.ts';
import { compareNewestFirst, mergeOlder, newerThanTop } from './email-order.ts';
import { nextProgress } from './progress.ts';

export const PAGE_SIZE = EMAIL_PAGE_MAX;

export interface InboxState {
  /** Newest first: what the list shows. */
  emails: EmailSummary[];
  /** Mail newer than the top row, held back behind the "N new messages" button so the list does not move. */
  newer: EmailSummary[];
  /** The held-back rows fill a whole page, so more may sit between them and the list: showing them reloads. */
  newerHasGap: boolean;
  /** Cursor of the next older page; null once the list reached the oldest stored row. */
  nextCursor: string | null;
  status: 'loading' | 'ready' | 'error';
  loadingOlder: boolean;
  error: string | null;
  progress: IngestionProgress | null;
  /** The server said its database is unreachable: nothing is stored until it says it is back. */
  databaseUnavailable: boolean;
}

const initialState: InboxState = {
  emails: [],
  newer: [],
  newerHasGap: false,
  nextCursor: null,
  status: 'loading',
  loadingOlder: false,
  error: null,
  progress: null,
  databaseUnavailable: false,
};

function pageUrl(cursor: string | null): string {
  return cursor
    ? `/api/emails?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`
    : INBOX_FIRST_PAGE_URL;
}

/**
 * The inbox's rows and the sync progress. Fetches run one at a time (a chain), so pages and refreshes never race;
 * WebSocket events only schedule a refresh, coalesced while one is waiting.
 */
export function useInbox() {
  const [state, setState] = useState<InboxState>(initialState);
  const current = useRef(state);
  current.current = state;
  const chain = useRef<Promise<void>>(Promise.resolve());
  /** The cursor that fetched the last page shown (null: the first page); re-read when backfill adds older rows. */
  const tailCursor = useRef<string | null>(null);
  const refreshQueued = useRef(false);

  const run = useCallback((task: () => Promise<void>) => {
    chain.current = chain.current.then(task).catch((error: unknown) => {
      setState((previous) => ({
        ...previous,
        status: previous.emails.length === 0 ? 'error' : previous.status,
        loadingOlder: false,
        error: error instanceof Error ? error.message : String(error),
      }));
    });
    return chain.current;
  }, []);

  const loadFirst = useCallback(
    () =>
      run(async () => {
        const page = await requestJson(pageUrl(null), EmailListResponse);
        tailCursor.current = null;
        setState((previous) => ({
          ...previous,
          emails: page.emails,
          newer: [],
          newerHasGap: false,
          nextCursor: page.nextCursor,
          status: 'ready',
          error: null,
        }));
      }),
    [run],
  );

  const loadOlder = useCallback(() => {
    const { nextCursor, loadingOlder } = current.current;
    if (!nextCursor || loadingOlder) return;
    setState((previous) => ({ ...previous, loadingOlder: true }));
    void run(async () => {
      const cursor = current.current.nextCursor;
      if (!cursor) return;
      const page = await requestJson(pageUrl(cursor), EmailListResponse);
      tailCursor.current = cursor;
      setState((previous) => ({
        ...previous,
        emails: mergeOlder(previous.emails, page.emails),
        nextCursor: page.nextCursor,
        loadingOlder: false,
        error: null,
      }));
    });
  }, [run]);

  /**
   * After new rows were stored: newer ones go behind the button; when the list already reached its end, the
   * last page is read again, so older mail from the backfill appends below what the user reads.
   */
  const refresh = useCallback(() => {
    if (refreshQueued.current) return;
    refreshQueued.current = true;
    void run(async () => {
      refreshQueued.current = false;
      const shown = current.current;
      if (shown.status !== 'ready' || shown.emails.length === 0) {
        const page = await requestJson(pageUrl(null), EmailListResponse);
        tailCursor.current = null;
        setState((previous) => ({
          ...previous,
          emails: mergeOlder(previous.emails, page.emails),
          nextCursor: previous.emails.length === 0 ? page.nextCursor : previous.nextCursor,
          status: 'ready',
          error: null,
        }));
        return;
      }
      const head = await requestJson(pageUrl(null), EmailListResponse);
      const newer = newerThanTop(shown.emails, head.emails);
      const tail =
        shown.nextCursor === null ? await requestJson(pageUrl(tailCursor.current), EmailListResponse) : null;
      setState((previous) => {
        const held = new Map(previous.newer.map((email) => [email.id, email]));
        for (const email of newer) held.set(email.id, email);
        const inRange = head.emails.filter((email) => !held.has(email.id));
        let emails = mergeOlder(previous.emails, inRange);
        let nextCursor = previous.nextCursor;
        if (tail && previous.nextCursor === null) {
          emails = mergeOlder(emails, tail.emails);
          nextCursor = tail.nextCursor;
        }
        return {
          ...previous,
          emails,
          nextCursor,
          newer: [...held.values()].sort(compareNewestFirst),
          newerHasGap:
            previous.newerHasGap || (newer.length === head.emails.length && head.nextCursor !== null),
          error: null,
        };
      });
    });
  }, [run]);

  /** The "N new messages" button: puts the held-back rows on top (or reloads when there may be a gap). */
  const showNewer = useCallback(() => {
    if (current.current.newerHasGap) {
      void loadFirst();
      return;
    }
    setState((previous) => ({
      ...previous,
      emails: [...previous.newer, ...previous.emails],
      newer: [],
    }));
  }, [loadFirst]);

  const onMessage = useCallback(
    (message: ServerMessage) => {
      switch (message.type) {
        case 'snapshot':
          // Every (re)connect starts with one: resynchronise counters and rows from it.
          setState((previous) => ({ ...previous, progress: nextProgress(previous.progress, message) }));
          refresh();
          break;
        case 'emails_ready':
          refresh();
          break;
        case 'batch_complete':
        case 'job_status':
          setState((previous) => ({ ...previous, progress: nextProgress(previous.progress, message) }));
          break;
        case 'service_status':
          // A fresh snapshot follows the recovery and resynchronises rows and counters.
          setState((previous) => ({ ...previous, databaseUnavailable: message.database === 'unavailable' }));
          break;
        case 'calendar_ready':
          break;
      }
    },
    [refresh],
  );

  /** `/api/me`'s view of the job, folded in like a snapshot so it cannot move the counters back. */
  const seedProgress = useCallback((progress: IngestionProgress | null) => {
    if (!progress) return;
    setState((previous) => ({
      ...previous,
      progress: nextProgress(previous.progress, {
        type: 'snapshot',
        ingestion: progress,
        newestCursor: null,
        emailCount: 0,
        accounts: [],
      }),
    }));
  }, []);

  useEffect(() => {
    void loadFirst();
  }, [loadFirst]);

  return { state, loadFirst, loadOlder, showNewer, onMessage, seedProgress };
}
