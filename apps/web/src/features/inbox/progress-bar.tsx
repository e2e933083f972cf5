import type { IngestionProgress } from '@firstlight/contracts';
import { progressCounts, progressPercent } from './progress.ts';

const STATUS_LABEL: Record<IngestionProgress['status'], string> = {
  pending: 'waiting to sync the rest',
  listing: 'listing your mailbox',
  running: 'syncing',
  paused: 'paused',
  stalled: 'stalled — retrying',
  complete: 'complete',
  failed: 'failed',
};

/**
 * The mailbox sync bar. Always the same height (text included), so nothing below it moves as states change.
 * `needsReauth` comes from `/api/me`: Google refused the token, so the job waits for a new consent.
 */
export function ProgressBar({
  progress,
  needsReauth,
}: {
  progress: IngestionProgress | null;
  needsReauth: boolean;
}) {
  if (!progress) {
    return (
      <div className="progress" data-testid="progress" data-state="unknown">
        <div className="progress-track" />
        <p className="progress-text">Connecting…</p>
      </div>
    );
  }
  const paused = progress.status === 'paused' || needsReauth;
  const state = paused ? 'paused' : progress.status;
  const percent = progressPercent(progress);
  return (
    <div className="progress" data-testid="progress" data-state={state}>
      <div
        className={`progress-track ${state}`}
        role="progressbar"
        aria-label="Mailbox sync"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${progressCounts(progress)}, ${STATUS_LABEL[progress.status]}`}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-text" aria-live="polite">
        {progressCounts(progress)} · {paused ? STATUS_LABEL.paused : STATUS_LABEL[progress.status]}
        {progress.status === 'failed' && progress.lastError ? ` — ${progress.lastError}` : ''}
        {progress.status === 'stalled' ? ' (no progress for a while; the server will retry)' : ''}
      </p>
      {paused && (
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
