import type {
  ConnectedAccount,
  IngestionProgress,
  ServerMessage,
  SnapshotMessage,
} from '@firstlight/contracts';
import { useCallback, useState } from 'react';
import { nextProgress, type ProgressEvent } from './progress.ts';

/** Each connected account's mailbox progress, by account id. */
export type ProgressByAccount = ReadonlyMap<string, IngestionProgress | null>;

export interface SyncState {
  progress: ProgressByAccount;
  /** The server said its database is unreachable: nothing is stored until it says it is back. */
  databaseUnavailable: boolean;
}

type ProgressMessage = ProgressEvent;

/** A snapshot of one account, as `nextProgress` folds it. */
function accountSnapshot(ingestion: IngestionProgress | null): SnapshotMessage {
  return { type: 'snapshot', ingestion, newestCursor: null, emailCount: 0, accounts: [] };
}

/**
 * Folds a message into every account's progress. A snapshot carries each account (an older server only the
 * signed-in one); batch and job events carry a job id, which `nextProgress` matches against each account's job,
 * so only the account whose ingestion it is moves.
 */
export function foldProgress(current: ProgressByAccount, message: ProgressMessage): ProgressByAccount {
  const next = new Map(current);
  if (message.type === 'snapshot') {
    const accounts =
      message.accounts.length > 0
        ? message.accounts.map((account) => [account.accountId, account.ingestion] as const)
        : message.ingestion
          ? [[message.ingestion.accountId, message.ingestion] as const]
          : [];
    for (const [accountId, ingestion] of accounts) {
      next.set(accountId, nextProgress(current.get(accountId) ?? null, accountSnapshot(ingestion)));
    }
    return next;
  }
  for (const [accountId, progress] of current) next.set(accountId, nextProgress(progress, message));
  return next;
}

/** The sync progress of every account: seeded from `/api/me`, then moved by WebSocket messages. */
export function useSyncProgress() {
  const [state, setState] = useState<SyncState>({ progress: new Map(), databaseUnavailable: false });

  /** `/api/me`'s view of each job, folded in like a snapshot so it cannot move the counters back. */
  const seed = useCallback((accounts: ConnectedAccount[]) => {
    const withJob = accounts.filter((account) => account.ingestion);
    if (withJob.length === 0) return;
    const snapshot: SnapshotMessage = {
      ...accountSnapshot(null),
      accounts: withJob.map((account) => ({
        accountId: account.id,
        email: account.email,
        ingestion: account.ingestion,
      })),
    };
    setState((previous) => ({ ...previous, progress: foldProgress(previous.progress, snapshot) }));
  }, []);

  const onMessage = useCallback((message: ServerMessage) => {
    if (message.type === 'service_status') {
      // A fresh snapshot follows the recovery and resynchronises rows and counters.
      setState((previous) => ({ ...previous, databaseUnavailable: message.database === 'unavailable' }));
    } else if (message.type !== 'emails_ready' && message.type !== 'calendar_ready') {
      setState((previous) => ({ ...previous, progress: foldProgress(previous.progress, message) }));
    }
  }, []);

  return { state, seed, onMessage };
}
