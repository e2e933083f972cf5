import { sql } from 'kysely';
import { startEmulatorProcess } from './emulator-process.ts';
import { signInOverHttp } from './sign-in-http.ts';
import { startBenchProduct } from './support.ts';

export interface PipelineResult {
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** Jobs failed or still unfinished after 10 minutes. */
  failedJobs: number;
  /** Median time a batch of ≤ 1,000 took from lease to done, and waited in the queue before that. */
  batchMedianMs: number;
  queueWaitMedianMs: number;
  /** Batch-seconds per second of the run: how many batches were being worked on at once, on average. */
  batchesInFlight: number;
}

/**
 * The whole backfill with Google out of the way: USERS sign in at once against an emulator (its own process)
 * with quota off and no latency, the API's pacer given a quota it never reaches, and the clock runs from the
 * first sign-in to every job complete. What is left is the product: the task queue, Gmail batch decoding,
 * parsing, the writes and the bookkeeping around each batch.
 */
export async function measurePipeline(options: {
  users: number;
  messagesPerUser: number;
}): Promise<PipelineResult> {
  const emails = Array.from({ length: options.users }, (_, i) => `pipeline${i}@example.com`);
  const emulator = await startEmulatorProcess([
    `--accounts=${emails.map((email) => `${email}:${options.messagesPerUser}`).join(',')}`,
    '--seed=1',
    '--auto-approve',
    '--latency=none',
    '--no-quota',
  ]);
  const product = await startBenchProduct(
    {},
    { LOG_LEVEL: 'silent', GMAIL_QUOTA_UNITS: String(1_000_000_000) },
    { backfill: true, emulatorUrl: emulator.url },
  );
  try {
    const startedAt = performance.now();
    await Promise.all(emails.map((email) => signInOverHttp(product.url, email)));
    const jobs = () =>
      product.db
        .selectFrom('ingestion_jobs')
        .select(['status', 'ingested'])
        .where('kind', '=', 'gmail_backfill')
        .execute();
    let current = await jobs();
    const giveUpAt = startedAt + 10 * 60_000; // a stuck job must not hang the benchmark; it shows as unfinished
    while (
      current.some((job) => job.status !== 'complete' && job.status !== 'failed') &&
      performance.now() < giveUpAt
    ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      current = await jobs();
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const messages = current.reduce((sum, job) => sum + job.ingested, 0);
    const batches = await sql<{ batch_ms: number; wait_ms: number; busy_s: number }>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) * 1000 AS batch_ms,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM started_at - enqueued_at)) * 1000 AS wait_ms,
             sum(extract(epoch FROM finished_at - started_at)) AS busy_s
      FROM ingestion_batches WHERE status = 'done'`.execute(product.db);
    const timing = batches.rows[0]!;
    return {
      messages,
      seconds: Math.round(seconds * 10) / 10,
      messagesPerSecond: Math.round(messages / seconds),
      failedJobs: current.filter((job) => job.status !== 'complete').length,
      batchMedianMs: Math.round(Number(timing.batch_ms)),
      queueWaitMedianMs: Math.round(Number(timing.wait_ms)),
      batchesInFlight: Math.round((Number(timing.busy_s) / seconds) * 10) / 10,
    };
  } finally {
    await product.close();
    await emulator.close();
  }
}
