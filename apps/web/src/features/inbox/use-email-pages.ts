import {
  EMAIL_PAGE_MAX,
  EmailListResponse,
  type EmailSummary,
  INBOX_FIRST_PAGE_URL,
} from '@firstlight/contracts';
import { type InfiniteData, type QueryClient, useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef } from 'react';
import { requestJson } from '../../lib/api-client.ts';
import { compareNewestFirst, emailKey, flattenPages, mergeOlder, newerThanTop } from './email-order.ts';
import { type HeldRows, useHeldRows } from './held-rows.ts';

export const PAGE_SIZE = EMAIL_PAGE_MAX;
export const EMAILS_KEY = ['emails'] as const;

type Pages = InfiniteData<EmailListResponse, string | null>;

/** The first page is exactly the URL the server preloads with the inbox page (API web-routes): it is reused. */
function pageUrl(cursor: string | null): string {
  return cursor
    ? `/api/emails?limit=${PAGE_SIZE}&cursor=${encodeURIComponent(cursor)}`
    : INBOX_FIRST_PAGE_URL;
}

const fetchPage = (cursor: string | null, signal?: AbortSignal) =>
  requestJson(pageUrl(cursor), EmailListResponse, signal ? { signal } : {});

const emailsQuery = {
  queryKey: EMAILS_KEY,
  queryFn: ({ pageParam, signal }: { pageParam: string | null; signal: AbortSignal }) =>
    fetchPage(pageParam, signal),
  initialPageParam: null as string | null,
  getNextPageParam: (last: EmailListResponse) => last.nextCursor,
  // Never refetched as a whole (that would re-read every loaded page): WebSocket events refresh it in place.
  staleTime: Number.POSITIVE_INFINITY,
};

/**
 * The inbox's rows: keyset pages in TanStack Query's infinite cache, newest first. Fetches run one at a time (a
 * chain), so pages and refreshes never race; WebSocket events only schedule a refresh, coalesced while one waits.
 */
export function useEmailPages() {
  const queryClient = useQueryClient();
  const query = useInfiniteQuery(emailsQuery);
  const held = useHeldRows();
  const chain = useRef<Promise<unknown>>(Promise.resolve());
  const refreshQueued = useRef(false);
  const olderQueued = useRef(false);
  const run = useCallback(
    (task: () => Promise<unknown>) => {
      chain.current = chain.current.then(task).catch((error: unknown) => held.setError(error));
      return chain.current;
    },
    [held.setError],
  );

  const emails = useMemo(() => flattenPages(query.data?.pages ?? []), [query.data]);
  const nextCursor = query.data?.pages.at(-1)?.nextCursor ?? null;

  const loadOlder = useCallback(() => {
    const last = queryClient.getQueryData<Pages>(EMAILS_KEY)?.pages.at(-1);
    if (!last?.nextCursor || olderQueued.current) return;
    olderQueued.current = true;
    void run(async () => {
      olderQueued.current = false;
      const result = await query.fetchNextPage({ cancelRefetch: false });
      if (!result.isError) held.setError(null);
    });
  }, [queryClient, run, query.fetchNextPage, held.setError]);

  const refresh = useCallback(() => {
    if (refreshQueued.current) return;
    refreshQueued.current = true;
    void run(async () => {
      refreshQueued.current = false;
      await refreshInPlace(queryClient, held);
    });
  }, [queryClient, run, held]);

  /** The "N new messages" button: puts the held-back rows on top (or reloads when there may be a gap). */
  const showNewer = useCallback(() => {
    const { rows, hasGap } = held.take();
    if (hasGap) {
      // Start again from the newest page (the list stays on screen until it is there).
      void run(async () => {
        const head = await fetchPage(null);
        queryClient.setQueryData<Pages>(EMAILS_KEY, { pages: [head], pageParams: [null] });
      });
      return;
    }
    queryClient.setQueryData<Pages>(EMAILS_KEY, (data) => data && withPage(data, 0, rows, false));
  }, [queryClient, run, held]);

  const retry = useCallback(() => {
    held.setError(null);
    if (emails.length === 0) void run(() => query.refetch());
    else loadOlder();
  }, [emails.length, run, query.refetch, loadOlder, held.setError]);

  const firstError = query.isError && emails.length === 0;
  return {
    emails,
    newer: held.rows,
    nextCursor,
    status: query.isPending ? 'loading' : firstError ? 'error' : 'ready',
    loadingOlder: query.isFetchingNextPage,
    error: held.error ?? (query.error ? query.error.message : null),
    loadOlder,
    refresh,
    showNewer,
    retry,
  } as const;
}

/**
 * After new rows were stored: newer ones go behind the button; when the list already reached its end, the last
 * page is read again, so older mail from the backfill appends below what the user reads.
 */
async function refreshInPlace(queryClient: QueryClient, held: HeldRows): Promise<void> {
  // Waits for the first page when it is still on its way (a snapshot can come first).
  const data = await queryClient.ensureInfiniteQueryData(emailsQuery);
  const shown = flattenPages(data.pages);
  const head = await fetchPage(null);
  if (shown.length === 0) {
    queryClient.setQueryData<Pages>(EMAILS_KEY, { pages: [head], pageParams: [null] });
    held.setError(null);
    return;
  }
  const lastIndex = data.pages.length - 1;
  const reachedEnd = data.pages[lastIndex]?.nextCursor === null;
  const tail = reachedEnd ? await fetchPage(data.pageParams[lastIndex] ?? null) : null;
  queryClient.setQueryData<Pages>(EMAILS_KEY, (latest) => {
    if (!latest) return latest;
    const rows = flattenPages(latest.pages);
    const known = new Set(rows.map(emailKey));
    // Against the list as it is now: "show" may have put earlier held rows on top meanwhile.
    const newer = newerThanTop(rows, head.emails).filter((email) => !known.has(emailKey(email)));
    const heldKeys = held.hold(newer, newer.length === head.emails.length && head.nextCursor !== null);
    const inRange = head.emails.filter((email) => !heldKeys.has(emailKey(email)));
    let next = withPage(latest, 0, inRange, true);
    const last = next.pages.length - 1;
    if (tail && next.pages[last]?.nextCursor === null) next = withPage(next, last, tail.emails, true, tail);
    return next;
  });
  held.setError(null);
}

/** `data` with rows merged into one page (older: merged in order; else put on top), and its cursor if given. */
function withPage(
  data: Pages,
  index: number,
  rows: EmailSummary[],
  older: boolean,
  cursorFrom?: EmailListResponse,
): Pages {
  const page = data.pages[index];
  if (!page || (rows.length === 0 && !cursorFrom)) return data;
  const emails = older ? mergeOlder(page.emails, rows) : [...rows, ...page.emails].sort(compareNewestFirst);
  const nextCursor = cursorFrom ? cursorFrom.nextCursor : page.nextCursor;
  return { ...data, pages: data.pages.with(index, { emails, nextCursor }) };
}
