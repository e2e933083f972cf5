import type { BatchCompleteMessage, IngestionProgress } from '@firstlight/contracts';

/** Test data shared by the progress tests: one running job, and a batch of it finishing. */
export const jobId = '00000000-0000-4000-8000-000000000001';

export const runningJob: IngestionProgress = {
  jobId,
  accountId: '00000000-0000-4000-8000-0000000000a1',
  status: 'running',
  total: 48_213,
  ingested: 12_000,
  failed: 0,
  currentTier: 'low',
  firstDataMs: 300,
  lastError: null,
};

/** Batch 13 (1,000 messages) done: 13,000 of 48,213. */
export function batchComplete(overrides: Partial<BatchCompleteMessage> = {}): BatchCompleteMessage {
  return {
    type: 'batch_complete',
    jobId,
    seq: 13,
    tier: 'low',
    currentTier: 'low',
    stored: 1000,
    failed: 0,
    ingested: 13_000,
    total: 48_213,
    etaSeconds: null,
    ...overrides,
  };
}
