import type { IngestionProgress } from '@firstlight/contracts';
import { progressCounts, progressPercent, shownProgress } from './progress.ts';

const STATUS_LABEL: Record<IngestionProgress['status'], string> = {
  pending: 'waiting to sync the rest',
  listing: 'listing your mailbox',
  running: 'syncing',
  paused: 'paused',
  stalled: 'stalled — retrying',
  complete: 'complete',
  failed: 'failed',
};

const DATABASE_PAUSED = 'paused: our database is unavailable — resuming by itself';

/**
 * The mailbox sync bar. Always the same height (text included), so nothing below it moves as states change.
 * `needsReauth` comes from `/api/me`: Google refused the token, so the job waits for a new consent.
 * `databaseUnavailable` comes from the server's `service_status` message: nothing runs until it is back.
 */
export function ProgressBar({
  progress: reported,
  needsReauth,
  databaseUnavailable = false,
}: {
  progress: IngestionProgress | null;
  needsReauth: boolean;
  databaseUnavailable?: boolean;
}) {
  if (!reported) {
    return (
      <div className="progress" data-testid="progress" data-state="unknown">
        <div className="progress-track" />
        <p className="progress-text">Connecting…</p>
      </div>
    );
  }
  const { progress, pausedBy } = shownProgress(reported, { needsReauth, databaseUnavailable });
  const state = progress.status;
  const percent = progressPercent(reported);
  const label = pausedBy === 'database' ? DATABASE_PAUSED : STATUS_LABEL[progress.status];
  return (
    <div className="progress" data-testid="progress" data-state={state}>
      <div
        className={`progress-track ${state}`}
        role="progressbar"
        aria-label="Mailbox sync"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${progressCounts(progress)}, ${label}`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {progressCounts(progress)} · {label}
        {progress.status === 'failed' && progress.lastError ? ` — ${progress.lastError}` : ''}
        {progress.status === 'stalled' ? ' (no progress for a while; the server will retry)' : ''}
      </p>
      {pausedBy === 'reauth' && (
        <p role="alert" className="progress-alert">
          Google access expired, so syncing is paused.{' '}
          <a className="button small" href="/auth/google?consent=1">
            Sign in again
          </a>
        </p>
      )}
    </div>
  );
}
