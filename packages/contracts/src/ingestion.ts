import { z } from 'zod';

export const JobStatus = z.enum(['pending', 'listing', 'running', 'paused', 'stalled', 'complete', 'failed']);
export type JobStatus = z.infer<typeof JobStatus>;

export const Tier = z.enum(['now', 'high', 'low']);
export type Tier = z.infer<typeof Tier>;

/**
 * The job's remaining batches (all, or some) wait for the next day's Google quota budget: today's share of the
 * project's daily units is spent (issue 17). The progress says so, and when it resumes, instead of an ETA.
 */
export const QuotaWait = z.object({
  reason: z.literal('daily_budget'),
  /** When the first waiting batch is due again: the next UTC day's start. */
  resumesAt: z.iso.datetime(),
  /** Batches deferred to it (the job's later batches are scheduled only as these finish). */
  batches: z.number().int().positive(),
  /** True when nothing of the job runs before `resumesAt`; false when some batches still run today. */
  everything: z.boolean(),
});
export type QuotaWait = z.infer<typeof QuotaWait>;

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
  /** Null (or absent, from an older server) unless batches wait for tomorrow's quota. */
  quotaWait: QuotaWait.nullable().optional(),
});
export type IngestionProgress = z.infer<typeof IngestionProgress>;
