import type { BatchTier } from '@firstlight/db';
import { storeEmails } from '../emails/index.ts';
import { abortableSleep } from '../lib/abortable-sleep.ts';
import type { MailProvider, MailSource } from '../providers/index.ts';
import type { QuotaAnswer, QuotaClass } from '../quota/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { storedIds } from './batch-reads-repository.ts';
import type { BatchRow } from './batch-repository.ts';
import type { JobRow } from './job-repository.ts';
import type { HeldLease } from './lease-heartbeat.ts';
import type { Prepaid } from './quota-pacing.ts';

/* A batch run's fetching under the quota port (see runBatch in batch-handler.ts). */

/** What one run of a batch fetched and stored. */
export interface BatchOutcome {
  stored: number;
  gone: number;
  failures: { messageId: string; reason: string }[];
}

export type Refusal = Extract<QuotaAnswer, { granted: false }>;

/** The quota class of a batch's Gmail calls: the recent tiers before the archive. */
export const classOf = (tier: BatchTier): QuotaClass => (tier === 'low' ? 'low' : 'high');

/**
 * Fetches and stores what the batch lacks, one grant at a time (as many messages as the grant covers, up to
 * `requestsInFlight` chunks). A refused grant ends the run with what is stored so far (the next run fetches
 * only the rest), unless the wait is shorter than `waitInPlaceMs`.
 */
export async function fetchBatch(
  deps: BackfillDeps,
  { job, batch }: { job: JobRow; batch: BatchRow },
  opened: { provider: MailProvider; source: MailSource; prepaid: Prepaid },
  held: HeldLease,
): Promise<BatchOutcome | { refusal: Refusal }> {
  const already = await storedIds(deps.db, job.user_id, batch.message_ids);
  const missing = batch.message_ids.filter((id) => !already.has(id));
  const outcome: BatchOutcome = { stored: already.size, gone: 0, failures: [] };
  const perMessage = opened.provider.unitsPerMessage;
  const perGrant = deps.settings.partsPerRequest * deps.settings.requestsInFlight;
  for (let next = 0; next < missing.length; ) {
    held.check();
    const want = Math.min(perGrant, missing.length - next);
    const answer = await deps.quota.tryTake({
      resource: 'gmail',
      user: job.account_id,
      class: classOf(batch.tier),
      units: want * perMessage,
      minUnits: perMessage,
    });
    if (!answer.granted) {
      // A wait shorter than a trip through the queue is waited here: handing back would cost more, and longer.
      if (answer.retryInMs > deps.settings.waitInPlaceMs) return { refusal: answer };
      await abortableSleep(answer.retryInMs, held.signal);
      continue;
    }
    const count = Math.max(1, Math.min(want, Math.floor(answer.units / perMessage)));
    opened.prepaid.add(count * perMessage);
    const ids = missing.slice(next, next + count);
    next += count;
    await fetchChunks(deps, ids, opened.source, held, outcome);
  }
  return outcome;
}

/** Fetches `ids` in chunks of ≤ partsPerRequest, a few in flight; all settle before it returns. */
async function fetchChunks(
  deps: BackfillDeps,
  ids: string[],
  source: MailSource,
  held: HeldLease,
  outcome: BatchOutcome,
): Promise<void> {
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += deps.settings.partsPerRequest) {
    chunks.push(ids.slice(i, i + deps.settings.partsPerRequest));
  }
  const work = async (chunk: string[]) => {
    held.check();
    const fetched = await source.fetchMany(chunk);
    held.check(); // a worker that lost its lease writes nothing more
    outcome.gone += fetched.gone.length; // deleted since listing: incremental sync will confirm
    outcome.failures.push(...fetched.failures);
    // One statement per chunk; a row the database refuses is recorded and its neighbours are stored.
    const stored = await storeEmails(deps.db, fetched.emails);
    outcome.failures.push(
      ...stored.refused.map((refused) => ({ messageId: refused.gmailId, reason: refused.reason })),
    );
    outcome.stored += stored.stored;
    deps.metrics.messagesIngested.inc({ path: 'backfill' }, stored.stored);
  };
  let cursor = 0;
  let broken = false; // one failed: the others take no new chunk
  const runs = await Promise.allSettled(
    Array.from({ length: Math.min(deps.settings.requestsInFlight, chunks.length) }, async () => {
      while (cursor < chunks.length && !broken) {
        await work(chunks[cursor++]!).catch((error: unknown) => {
          broken = true;
          throw error;
        });
      }
    }),
  );
  const failed = runs.find((run) => run.status === 'rejected');
  if (failed) throw failed.reason;
}
