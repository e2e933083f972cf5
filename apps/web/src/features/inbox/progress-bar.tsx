import type { IngestionProgress } from '@firstlight/contracts';
import { progressCounts, progressPercent, syncView } from './progress.ts';

/**
 * The mailbox sync bar. Always the same height (text included), so nothing below it moves as states change.
 * `needsReauth` comes from `/api/me`: Google refused the token, so a running job waits for a new consent and a
 * finished one stays finished (see `syncView`). `databaseUnavailable` comes from the server's `service_status`
 * message: nothing runs until it is back.
 */
export function ProgressBar({
  progress,
  needsReauth,
  databaseUnavailable = false,
  account,
  now,
}: {
  progress: IngestionProgress | null;
  needsReauth: boolean;
  databaseUnavailable?: boolean;
  /** The account's address, when the inbox shows one bar per account. */
  account?: string;
  /** The clock "continues at 00:00 UTC (in 3 h)" counts from (tests pin it). */
  now?: Date;
}) {
  const name = account ? `Mailbox sync of ${account}` : 'Mailbox sync';
  if (!progress) {
    return (
      <div className="progress" data-testid="progress" data-state="unknown" data-account={account}>
        {account && <p className="progress-account">{account}</p>}
        <div className="progress-track" />
        <p className="progress-text">Connecting…</p>
      </div>
    );
  }
  const { state, label, alert } = syncView(progress, needsReauth, databaseUnavailable, now);
  const percent = progressPercent(progress);
  // No "about N left" while nothing runs.
  const counts = progressCounts(state === 'paused' ? { ...progress, status: 'paused' } : progress);
  return (
    <div className="progress" data-testid="progress" data-state={state} data-account={account}>
      {account && <p className="progress-account">{account}</p>}
      <div
        className={`progress-track ${state}`}
        role="progressbar"
        aria-label={name}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${counts}, ${label}`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {counts} · {label}
        {progress.status === 'failed' && progress.lastError ? ` — ${progress.lastError}` : ''}
        {progress.status === 'stalled' ? ' (no progress for a while; the server will retry)' : ''}
      </p>
      {alert && (
        <p role="alert" className="progress-alert">
          {alert}{' '}
          <a className="button small" href="/auth/google?consent=1">
            Sign in again
          </a>
        </p>
      )}
    </div>
  );
}
