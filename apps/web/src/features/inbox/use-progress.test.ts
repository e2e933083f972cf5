import type { IngestionProgress } from '@firstlight/contracts';
import { describe, expect, it } from 'vitest';
import { foldProgress, type ProgressByAccount } from './use-progress.ts';

const WORK = '00000000-0000-4000-8000-0000000000a1';
const HOME = '00000000-0000-4000-8000-0000000000b2';
const job = (accountId: string) => accountId.replace('0000000000', '1111111111');

function progress(accountId: string, ingested: number): IngestionProgress {
  return {
    jobId: job(accountId),
    accountId,
    status: 'running',
    total: 1000,
    ingested,
    failed: 0,
    currentTier: 'low',
    firstDataMs: 10,
    lastError: null,
  };
}

const snapshot = (accounts: [string, IngestionProgress | null][]) =>
  ({
    type: 'snapshot',
    ingestion: accounts[0]?.[1] ?? null,
    newestCursor: null,
    emailCount: 0,
    accounts: accounts.map(([accountId, ingestion]) => ({ accountId, email: `${accountId}@x`, ingestion })),
  }) as const;

describe('progress per account', () => {
  it('takes each account from the snapshot and moves only the account whose job an event names', () => {
    let state: ProgressByAccount = new Map();
    state = foldProgress(
      state,
      snapshot([
        [WORK, progress(WORK, 100)],
        [HOME, progress(HOME, 200)],
      ]),
    );
    state = foldProgress(state, {
      type: 'batch_complete',
      jobId: job(HOME),
      seq: 3,
      tier: 'low',
      currentTier: 'low',
      stored: 50,
      failed: 0,
      ingested: 250,
      total: 1000,
      etaSeconds: 4,
    });
    state = foldProgress(state, { type: 'job_status', jobId: job(WORK), status: 'complete', reason: null });
    expect(state.get(WORK)).toMatchObject({ ingested: 100, status: 'complete' });
    expect(state.get(HOME)).toMatchObject({ ingested: 250, status: 'running', etaSeconds: 4 });
  });

  it("never moves an account back on a stale snapshot, and reads an older server's single ingestion", () => {
    let state: ProgressByAccount = new Map([[WORK, progress(WORK, 300)]]);
    state = foldProgress(state, snapshot([[WORK, progress(WORK, 100)]]));
    expect(state.get(WORK)?.ingested).toBe(300);
    const older = { ...snapshot([]), ingestion: progress(HOME, 5) };
    expect(foldProgress(new Map(), older).get(HOME)?.ingested).toBe(5);
  });
});
