import type { IngestionProgress } from '@firstlight/contracts';

const TIER_LABEL = { now: 'newest', high: 'recent', low: 'archive' } as const;
const STATUS_LABEL: Record<IngestionProgress['status'], string> = {
  pending: 'waiting to sync the rest',
  listing: 'listing your mailbox',
  running: 'syncing',
  paused: 'paused',
  stalled: 'stalled',
  complete: 'complete',
  failed: 'failed',
};

export function ProgressBar({ progress }: { progress: IngestionProgress | null }) {
  if (!progress) return <p className="progress-text">Connecting…</p>;
  const total = progress.total ?? 0;
  const percent = total > 0 ? Math.min(100, Math.floor((progress.ingested / total) * 100)) : 0;
  const counts =
    progress.total === null
      ? `${progress.ingested.toLocaleString()} messages`
      : `${progress.ingested.toLocaleString()} of ${progress.total.toLocaleString()} messages`;
  const tier = progress.currentTier ? ` · ${TIER_LABEL[progress.currentTier]}` : '';
  return (
    <div className="progress" data-testid="progress">
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Mailbox sync"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <p className="progress-text">
        {counts}
        {tier} · {STATUS_LABEL[progress.status]}
        {progress.lastError && progress.status !== 'complete' ? ` — ${progress.lastError}` : ''}
      </p>
    </div>
  );
}
