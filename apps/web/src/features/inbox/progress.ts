import type { IngestionProgress, ServerMessage } from '@firstlight/contracts';

type ProgressEvent = Extract<ServerMessage, { type: 'snapshot' | 'batch_complete' | 'job_status' }>;

/**
 * Folds snapshots and events into what the progress bar shows. Counters never go backwards for one job: a
 * snapshot taken before a batch event was delivered (reconnect races, out-of-order events) cannot undo it.
 */
export function nextProgress(
  current: IngestionProgress | null,
  event: ProgressEvent,
): IngestionProgress | null {
  switch (event.type) {
    case 'snapshot': {
      const fresh = event.ingestion;
      if (!fresh || !current || current.jobId !== fresh.jobId) return fresh;
      return {
        ...fresh,
        ingested: Math.max(current.ingested, fresh.ingested),
        failed: Math.max(current.failed, fresh.failed),
        total: fresh.total ?? current.total,
        // A finished job stays finished even if an older snapshot arrives after the final event.
        status: current.status === 'complete' ? 'complete' : fresh.status,
        etaSeconds: fresh.etaSeconds ?? current.etaSeconds ?? null,
      };
    }
    case 'batch_complete':
      if (!current || current.jobId !== event.jobId) return current;
      return {
        ...current,
        ingested: Math.max(current.ingested, event.ingested),
        total: event.total ?? current.total,
        currentTier: event.currentTier,
        etaSeconds: event.etaSeconds,
        status: current.status === 'pending' || current.status === 'listing' ? 'running' : current.status,
      };
    case 'job_status':
      if (!current || current.jobId !== event.jobId) return current;
      return {
        ...current,
        status: event.status,
        lastError: event.reason,
        currentTier: event.status === 'complete' ? null : current.currentTier,
        etaSeconds: event.status === 'complete' ? 0 : current.etaSeconds,
      };
  }
}

const TIER_LABEL = { now: 'newest mail', high: 'recent mail', low: 'archive' } as const;

/** "12,000 of 48,213 messages · archive". */
export function progressCounts(progress: IngestionProgress): string {
  const counts =
    progress.total === null
      ? `${progress.ingested.toLocaleString('en-US')} messages`
      : `${progress.ingested.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} messages`;
  const tier =
    progress.currentTier && progress.status !== 'complete' ? ` · ${TIER_LABEL[progress.currentTier]}` : '';
  const working = progress.status === 'running' || progress.status === 'listing';
  const eta = working && progress.etaSeconds ? ` · about ${formatDuration(progress.etaSeconds)} left` : '';
  return counts + tier + eta;
}

/** "40 s", "12 min", "2 h 5 min": the precision an estimate deserves. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

export function progressPercent(progress: IngestionProgress): number {
  if (progress.status === 'complete') return 100;
  if (!progress.total) return 0;
  return Math.min(100, Math.floor((progress.ingested / progress.total) * 100));
}

/** Why the bar shows "paused" although the job itself may say running (the job row cannot say either). */
export type PauseCause = 'reauth' | 'database' | null;

/**
 * What the bar shows: an unfinished job is paused while our database is unreachable (nothing can be stored, so
 * "syncing" would be a lie); a job is paused while Google access has expired.
 */
export function shownProgress(
  progress: IngestionProgress,
  flags: { needsReauth: boolean; databaseUnavailable: boolean },
): { progress: IngestionProgress; pausedBy: PauseCause } {
  const finished = progress.status === 'complete' || progress.status === 'failed';
  const pausedBy: PauseCause =
    flags.databaseUnavailable && !finished
      ? 'database'
      : progress.status === 'paused' || flags.needsReauth
        ? 'reauth'
        : null;
  return { progress: pausedBy ? { ...progress, status: 'paused' } : progress, pausedBy };
}
