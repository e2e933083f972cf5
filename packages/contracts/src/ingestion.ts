import { z } from 'zod';

export const JobStatus = z.enum(['pending', 'listing', 'running', 'paused', 'stalled', 'complete', 'failed']);
export type JobStatus = z.infer<typeof JobStatus>;

export const Tier = z.enum(['now', 'high', 'low']);
export type Tier = z.infer<typeof Tier>;

/** Where a user's mailbox ingestion stands: what the progress bar shows. */
export const IngestionProgress = z.object({
  jobId: z.string().uuid(),
  /** The connected account whose mailbox this is. */
  accountId: z.string().uuid(),
  status: JobStatus,
  /** Messages in the mailbox: Gmail's estimate first, exact once listing ends; null until known. */
  total: z.number().int().nonnegative().nullable(),
  ingested: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** The tier being worked on now, null when idle or done. */
  currentTier: Tier.nullable(),
  firstDataMs: z.number().int().nonnegative().nullable(),
  lastError: z.string().nullable(),
  /** Seconds left at the measured rate and the quota (from the last `batch_complete`); absent until measured. */
  etaSeconds: z.number().nonnegative().nullable().optional(),
});
export type IngestionProgress = z.infer<typeof IngestionProgress>;
