import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { doneBatchesRate } from './progress-repository.ts';

/**
 * An honest ETA: remaining messages at the slower of the measured rate (messages stored by done batches over
 * the time they took, wall clock since the first one started) and the quota-limited rate. Null until one
 * batch has finished: a guess before any measurement would be a promise, not an estimate.
 */
export async function estimateSeconds(
  db: Kysely<Database>,
  jobId: string,
  remaining: number,
  quotaMessagesPerMs: number,
): Promise<number | null> {
  if (remaining === 0) return 0;
  const row = await doneBatchesRate(db, jobId);
  const stored = Number(row?.stored ?? 0);
  const seconds = Number(row?.seconds ?? 0);
  if (stored === 0 || seconds <= 0) return null;
  const measured = stored / seconds;
  const quota = quotaMessagesPerMs * 1000;
  return Math.round(remaining / Math.min(measured, quota > 0 ? quota : measured));
}
