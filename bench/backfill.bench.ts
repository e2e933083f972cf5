/**
 * Backfill throughput against Google's per-user quota: one user, MESSAGES messages (default 100,000), the
 * emulator enforcing 6,000 units per window with Google-like latency, the window time-scaled (WINDOW_MS,
 * default 2,000 ms standing for Google's minute) so the run takes minutes; the efficiency ratio does not depend
 * on the scale. Figures: messages_per_s, quota_efficiency (units the emulator charged / units the quota made
 * available over the run), errors_429, failed_batches, rss_peak_mb (the API process; the emulator runs in its own).
 * The emulator's latency is scaled by the same factor as the quota window.
 * Beside it, the naive design on the same quota (naive-backfill.ts: one messages.get per request from a pool of 10,
 * no pacer, backoff per call) over NAIVE_MESSAGES (default 20,000); its figures are the JSON's `baseline`.
 * After it, with quota off: write_messages_per_s, the write path alone (50 users × 2,000 parsed messages stored
 * through upsertEmails, write-path.ts), and pipeline_messages_per_s, the whole backfill of 50 users × 2,000
 * against an emulator without quota or latency (pipeline.ts).
 *   npm run bench -- backfill          MESSAGES=20000 WINDOW_MS=1000 npm run bench -- backfill
 */

import { errorsWithStatus, gmailUnits, startEmulatorProcess } from './emulator-process.ts';
import { naiveBackfill } from './naive-backfill.ts';
import { measurePipeline } from './pipeline.ts';
import { signInOverHttp } from './sign-in-http.ts';
import { printTable, startBenchProduct, writeResult } from './support.ts';
import { measureWritePath } from './write-path.ts';

const messages = Number(process.env.MESSAGES ?? 100_000);
const windowMs = Number(process.env.WINDOW_MS ?? 2_000);
const unitsPerWindow = 6_000;
const user = 'backfill@example.com';
// The naive baseline backfills a smaller mailbox: its rate is quota-bound too, so the size changes only the time.
const naiveMessages = Number(process.env.NAIVE_MESSAGES ?? 20_000);
const naiveUser = 'naive@example.com';
const parallelUsers = 50;
const messagesPerParallelUser = 2_000;

// The emulator runs in its own process so the RSS figure is the API's. Time runs ×(60,000 / windowMs) for the
// quota, so it does for latency too: Google's latency against a compressed minute would make the run
// latency-bound, which at real scale it is not.
const emulator = await startEmulatorProcess([
  `--accounts=${user}:${messages},${naiveUser}:${naiveMessages}`,
  '--seed=1',
  '--auto-approve',
  `--quota-window-ms=${windowMs}`,
  `--latency=${windowMs / 60_000}`,
]);
const product = await startBenchProduct(
  {},
  { GMAIL_QUOTA_WINDOW_MS: String(windowMs), LOG_LEVEL: 'silent' },
  { backfill: true, emulatorUrl: emulator.url },
);
let rssPeak = process.memoryUsage().rss;
let quotaBound: Record<string, number> | undefined;
let naive: Record<string, number> | undefined;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
}, 250);
try {
  await signInOverHttp(product.url, user);
  await emulator.resetStats();
  const startedAt = performance.now();
  let job = await product.db.selectFrom('ingestion_jobs').selectAll().executeTakeFirstOrThrow();
  let lastPrint = 0;
  while (job.status !== 'complete' && job.status !== 'failed') {
    await new Promise((resolve) => setTimeout(resolve, 500));
    job = await product.db.selectFrom('ingestion_jobs').selectAll().executeTakeFirstOrThrow();
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now();
      console.log(
        `  … ${job.ingested} of ${job.total ?? '?'} (${job.status}), ${Math.round((lastPrint - startedAt) / 1000)} s`,
      );
    }
  }
  const seconds = (performance.now() - startedAt) / 1000;
  clearInterval(sampler);
  const stats = await emulator.stats();
  const unitsUsed = gmailUnits(stats);
  const errors429 = errorsWithStatus(stats, 429);
  const available = (unitsPerWindow * seconds * 1000) / windowMs;
  const failedBatches = await product.db
    .selectFrom('ingestion_batches')
    .select(product.db.fn.countAll<number>().as('n'))
    .where('status', '!=', 'done')
    .executeTakeFirstOrThrow();
  const backfilled = job.ingested - (job.first_page_ids?.length ?? 0);
  const quotaLimitedRate = unitsPerWindow / (windowMs / 1000) / 5;
  const figures = {
    messages_per_s: Math.round((backfilled / seconds) * 10) / 10,
    quota_limited_messages_per_s: quotaLimitedRate,
    quota_efficiency: Math.round((unitsUsed / available) * 1000) / 1000,
    errors_429: errors429,
    failed_batches: Number(failedBatches.n),
    rss_peak_mb: Math.round(rssPeak / 2 ** 20),
    messages: job.ingested,
    seconds: Math.round(seconds),
  };
  printTable(
    `backfill — ${messages} messages, quota ${unitsPerWindow} units per ${windowMs} ms (Google's minute ×${60_000 / windowMs})`,
    [
      ['messages stored', `${job.ingested} of ${job.total} (${job.status})`],
      ['run time (s)', figures.seconds],
      ['messages/s', figures.messages_per_s],
      ['quota-limited messages/s', figures.quota_limited_messages_per_s],
      ['quota efficiency (units used / available)', figures.quota_efficiency],
      ['429s from the emulator', figures.errors_429],
      ['batches not done', figures.failed_batches],
      ['peak RSS of the API process (MB)', figures.rss_peak_mb],
    ],
  );
  quotaBound = figures;

  // The naive design on the same emulator and quota (its own user, so its own per-user window).
  await emulator.resetStats();
  const naiveRun = await naiveBackfill(product.db, emulator.url, naiveUser, windowMs / 60_000);
  const naiveStats = await emulator.stats();
  const naiveUnits = gmailUnits(naiveStats);
  naive = {
    messages_per_s: Math.round((naiveRun.stored / naiveRun.seconds) * 10) / 10,
    quota_efficiency:
      Math.round((naiveUnits / ((unitsPerWindow * naiveRun.seconds * 1000) / windowMs)) * 1000) / 1000,
    errors_429: errorsWithStatus(naiveStats, 429),
    messages_lost: naiveRun.failed,
    messages: naiveRun.stored,
    seconds: Math.round(naiveRun.seconds),
  };
  printTable(`naive backfill — ${naiveMessages} messages, the same quota`, [
    ['messages stored', `${naiveRun.stored} (${naiveRun.failed} given up after 6 attempts)`],
    ['messages/s', naive.messages_per_s!],
    ['quota efficiency (units used / available)', naive.quota_efficiency!],
    ['429s from the emulator', naive.errors_429!],
  ]);
} finally {
  clearInterval(sampler);
  await product.close();
  await emulator.close();
}

// Quota off, after the quota-bound run (so its RSS figure is not inflated by these), each on its own database
// and emulator.
const writePath = await measureWritePath({ users: parallelUsers, messagesPerUser: messagesPerParallelUser });
const pipeline = await measurePipeline({ users: parallelUsers, messagesPerUser: messagesPerParallelUser });
printTable(`quota off — ${parallelUsers} users in parallel × ${messagesPerParallelUser} messages`, [
  [
    'write path alone: messages written / s',
    `${writePath.messagesPerSecond} (${writePath.rows} rows in ${writePath.seconds} s)`,
  ],
  ['one chunk upsert of 50, p50 / p95 (ms)', `${writePath.chunkP50Ms} / ${writePath.chunkP95Ms}`],
  [
    'whole backfill, no latency: messages / s',
    `${pipeline.messagesPerSecond} (${pipeline.messages} in ${pipeline.seconds} s, ${pipeline.failedJobs} failed jobs)`,
  ],
  [
    'its batches: median run / queue wait (ms), in flight on average',
    `${pipeline.batchMedianMs} / ${pipeline.queueWaitMedianMs}, ${pipeline.batchesInFlight}`,
  ],
]);
await writeResult(
  'backfill',
  {
    ...quotaBound,
    write_messages_per_s: writePath.messagesPerSecond,
    pipeline_messages_per_s: pipeline.messagesPerSecond,
  },
  naive,
);
