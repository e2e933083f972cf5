import type { IngestionProgress, SnapshotMessage } from '@firstlight/contracts';
import { describe, expect, it } from 'vitest';
import { nextProgress, progressCounts, progressPercent, syncView } from './progress.ts';
import { runningJob as base, batchComplete, jobId } from './progress-fixtures.ts';

describe('progress', () => {
  it('never goes backwards when a stale snapshot follows a batch event', () => {
    const afterBatch = nextProgress(base, batchComplete());
    const afterSnapshot = nextProgress(afterBatch, {
      type: 'snapshot',
      ingestion: base,
      newestCursor: null,
      emailCount: 12_000,
      accounts: [],
    });
    expect(afterSnapshot?.ingested).toBe(13_000);
  });

  it('takes a new job from a snapshot as it is', () => {
    const other = { ...base, jobId: '00000000-0000-4000-8000-000000000002', ingested: 5 };
    expect(
      nextProgress(base, {
        type: 'snapshot',
        ingestion: other,
        newestCursor: null,
        emailCount: 5,
        accounts: [],
      }),
    ).toEqual(other);
  });

  it('records a pause with its reason and ignores other jobs', () => {
    const paused = nextProgress(base, {
      type: 'job_status',
      jobId,
      status: 'paused',
      reason: 'invalid_grant',
    });
    expect(paused).toMatchObject({ status: 'paused', lastError: 'invalid_grant' });
    const ignored = nextProgress(base, {
      type: 'job_status',
      jobId: '00000000-0000-4000-8000-000000000009',
      status: 'failed',
      reason: 'x',
    });
    expect(ignored).toBe(base);
  });

  it('formats counts with the tier name', () => {
    expect(progressCounts(base)).toBe('12,000 of 48,213 messages · archive');
    expect(progressPercent(base)).toBe(24);
    expect(progressPercent({ ...base, status: 'complete' })).toBe(100);
  });

  it('shows the estimate a batch_complete carries while the job runs, and none once it is complete', () => {
    const running = nextProgress(base, batchComplete({ seq: 14, etaSeconds: 2_150 }))!;
    expect(progressCounts(running)).toBe('13,000 of 48,213 messages · archive · about 36 min left');
    expect(progressCounts({ ...running, etaSeconds: 7_500 })).toContain('about 2 h 5 min left');
    const done = nextProgress(running, { type: 'job_status', jobId, status: 'complete', reason: null })!;
    expect(progressCounts(done)).toBe('13,000 of 48,213 messages');
  });

  it('keeps a finished mailbox finished when Google access lapses: only new mail waits for a sign-in', () => {
    const complete = {
      ...base,
      status: 'complete' as const,
      ingested: 4_860,
      total: 4_860,
      currentTier: null,
    };
    const view = syncView(complete, true);
    expect(view).toEqual({
      state: 'complete',
      label: 'complete',
      alert: 'Google access expired: sign in again to keep syncing new mail.',
    });
    expect(`${progressCounts(complete)} · ${view.label}`).toBe('4,860 of 4,860 messages · complete');
    expect(syncView(complete, false)).toEqual({ state: 'complete', label: 'complete', alert: null });
  });

  it('shows a running job as paused while the account needs a sign-in', () => {
    expect(syncView(base, true)).toEqual({
      state: 'paused',
      label: 'paused',
      alert: 'Google access expired, so syncing is paused.',
    });
    expect(syncView({ ...base, status: 'paused' }, false)).toMatchObject({
      state: 'paused',
      label: 'paused',
    });
    expect(syncView(base, false)).toEqual({ state: 'running', label: 'syncing', alert: null });
  });

  it('shows an unfinished job as paused, resuming by itself, while our database is unavailable', () => {
    expect(syncView(base, false, true)).toEqual({
      state: 'paused',
      label: 'paused: our database is unavailable — resuming by itself',
      alert: null,
    });
    expect(syncView(base, false, false).label).toBe('syncing');
    const complete = { ...base, status: 'complete' as const, ingested: base.total!, currentTier: null };
    expect(syncView(complete, false, true)).toEqual({ state: 'complete', label: 'complete', alert: null });
  });

  it('takes the quota wait from a snapshot (the batches now), and ends it when the job completes', () => {
    const quotaWait = {
      reason: 'daily_budget' as const,
      resumesAt: '2026-12-02T00:00:00.000Z',
      batches: 2,
      everything: true,
    };
    const snapshot = (ingestion: IngestionProgress): SnapshotMessage => ({
      type: 'snapshot',
      ingestion,
      newestCursor: null,
      emailCount: 0,
      accounts: [],
    });
    const waiting = nextProgress(base, snapshot({ ...base, quotaWait }));
    expect(waiting?.quotaWait).toEqual(quotaWait);
    // No word on it from the next snapshot: nothing waits any more.
    expect(nextProgress(waiting, snapshot(base))?.quotaWait).toBeNull();
    const done = nextProgress(waiting, { type: 'job_status', jobId, status: 'complete', reason: null });
    expect(done?.quotaWait).toBeNull();
    // Another job's message moves nothing.
    const other = { type: 'quota_wait', jobId: base.accountId, quotaWait: null } as const;
    expect(nextProgress(waiting, other)).toBe(waiting);
  });
});
