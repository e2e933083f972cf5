import type { IngestionProgress, QuotaWait, ServerMessage } from '@firstlight/contracts';

export type ProgressEvent = Extract<
  ServerMessage,
  { type: 'snapshot' | 'batch_complete' | 'job_status' | 'quota_wait' }
>;

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
        // The snapshot reads the batches as they are now: its word on the quota wait is the latest.
        quotaWait: fresh.quotaWait ?? null,
      };
    }
    case 'quota_wait':
      if (!current || current.jobId !== event.jobId) return current;
      return { ...current, quotaWait: event.quotaWait };
    case 'batch_complete':
      if (!current || current.jobId !== event.jobId) return current;
      return {
        ...current,
        ingested: Math.max(current.ingested, event.ingested),
        total: event.total ?? current.total,
        currentTier: event.currentTier,
        etaSeconds: event.etaSeconds,
        // An older server says nothing: what the last message said stands.
        quotaWait: event.quotaWait === undefined ? (current.quotaWait ?? null) : event.quotaWait,
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
        quotaWait: event.status === 'complete' || event.status === 'failed' ? null : current.quotaWait,
      };
  }
}

export const STATUS_LABEL: Record<IngestionProgress['status'], string> = {
  pending: 'waiting to sync the rest',
  listing: 'listing your mailbox',
  running: 'syncing',
  paused: 'paused',
  stalled: 'stalled — retrying',
  complete: 'complete',
  failed: 'failed',
};

export const DATABASE_PAUSED = 'paused: our database is unavailable — resuming by itself';

export interface SyncView {
  /** `data-state` and the track's class: what the bar looks like. */
  state: IngestionProgress['status'];
  /** The status after the counts: "4,860 of 4,860 messages · complete". */
  label: string;
  /** The line under the bar with the "Sign in again" button, or null. */
  alert: string | null;
}

/**
 * What the bar shows for a job and the account's state (`needs_reauth` from `/api/me`). A finished job stays
 * finished when Google access lapses afterwards — the mailbox is all there; only new mail waits for a
 * sign-in — so "4,860 of 4,860 messages · complete" is never rewritten as paused. While our database is
 * unreachable (the server's `service_status`), an unfinished job shows as paused, resuming by itself.
 */
export function syncView(
  progress: IngestionProgress,
  needsReauth: boolean,
  databaseUnavailable = false,
  now: Date = new Date(),
): SyncView {
  const finished = progress.status === 'complete' || progress.status === 'failed';
  if (databaseUnavailable && !finished) {
    // Nothing is stored while our database is away: "syncing" would be a lie, and it resumes on its own.
    return {
      state: 'paused',
      label: DATABASE_PAUSED,
      alert: needsReauth ? 'Google access expired, so syncing is paused.' : null,
    };
  }
  if (finished) {
    return {
      state: progress.status,
      label: STATUS_LABEL[progress.status],
      alert: needsReauth ? 'Google access expired: sign in again to keep syncing new mail.' : null,
    };
  }
  const paused = progress.status === 'paused' || needsReauth;
  const wait = paused ? null : (progress.quotaWait ?? null);
  // Nothing moves before tomorrow: shown as paused (no ETA), with the reason and when it resumes.
  const state = paused || wait?.everything ? 'paused' : progress.status;
  return {
    state,
    label: wait ? quotaWaitLabel(wait, now) : STATUS_LABEL[state],
    alert: paused ? 'Google access expired, so syncing is paused.' : null,
  };
}

/**
 * "Today's Google quota for this app is used up — the rest of your mailbox continues at 00:00 UTC (in 3 h)":
 * the project's daily budget is shared by every user, so the wait is the app's, not the user's doing.
 */
export function quotaWaitLabel(wait: QuotaWait, now: Date): string {
  const at = new Date(wait.resumesAt);
  const clock = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')} UTC`;
  const seconds = (at.getTime() - now.getTime()) / 1000;
  const when = seconds > 0 ? `${clock} (in ${formatDuration(seconds)})` : clock;
  return wait.everything
    ? `Today's Google quota for this app is used up — the rest of your mailbox continues at ${when}`
    : `syncing — today's Google quota for this app is used up for older mail, which continues at ${when}`;
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
  // An ETA would be a lie while the rest waits for tomorrow's quota.
  const working =
    (progress.status === 'running' || progress.status === 'listing') && !progress.quotaWait?.everything;
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
