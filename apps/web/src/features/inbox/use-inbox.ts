import type { ServerMessage } from '@firstlight/contracts';
import { useEffect, useMemo } from 'react';
import { useServerMessages } from '../../lib/realtime-context.tsx';
import { connectedAccounts, useMe } from '../../lib/use-me.ts';
import { useEmailPages } from './use-email-pages.ts';
import { useSyncProgress } from './use-progress.ts';

/**
 * The inbox's data: the rows (TanStack Query), every account's progress, and the WebSocket messages that move
 * both — a snapshot (every (re)connect starts with one) or `emails_ready` refreshes the rows in place.
 */
export function useInbox() {
  const me = useMe();
  const pages = useEmailPages();
  const sync = useSyncProgress();
  const accounts = useMemo(() => connectedAccounts(me.data), [me.data]);
  const { seed } = sync;
  useEffect(() => seed(accounts), [seed, accounts]);

  const { refresh } = pages;
  const { onMessage: onProgress } = sync;
  useServerMessages((message: ServerMessage) => {
    onProgress(message);
    if (message.type === 'snapshot' || message.type === 'emails_ready') refresh();
  });
  return { me: me.data, accounts, pages, sync: sync.state };
}
