import type { ConnectedAccount } from '@firstlight/contracts';
import { ProgressBar } from './progress-bar.tsx';
import type { SyncState } from './use-progress.ts';

/**
 * The sync progress: today's one bar for one account; one bar per account, each named by its address, when the
 * user connected several (their mail is merged in one list, so each mailbox's progress shows on its own).
 */
export function AccountsProgress({ accounts, sync }: { accounts: ConnectedAccount[]; sync: SyncState }) {
  if (accounts.length <= 1) {
    const account = accounts[0];
    // Before `/api/me` answered (or from an API that names no account), the one job the snapshot described.
    const progress =
      account && sync.progress.has(account.id)
        ? (sync.progress.get(account.id) ?? null)
        : ([...sync.progress.values()].find(Boolean) ?? null);
    return (
      <ProgressBar
        progress={progress}
        needsReauth={account?.status === 'needs_reauth'}
        databaseUnavailable={sync.databaseUnavailable}
      />
    );
  }
  return (
    <div className="progress-list">
      {accounts.map((account) => (
        <ProgressBar
          key={account.id}
          account={account.email}
          progress={sync.progress.get(account.id) ?? null}
          needsReauth={account.status === 'needs_reauth'}
          databaseUnavailable={sync.databaseUnavailable}
        />
      ))}
    </div>
  );
}

/** True while any account's mailbox is still arriving. */
export function anySyncing(sync: SyncState): boolean {
  return [...sync.progress.values()].some(
    (progress) => progress !== null && !['complete', 'failed'].includes(progress.status),
  );
}
