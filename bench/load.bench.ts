/**
 * Load: USERS (default 200) sign-ins fired evenly over SPREAD_MS (default 10 s: one every 50 ms, none waiting
 * for another) against the emulator's Google-like latency, with the background backfill on, as real load is:
 * every signed-in user's backfill runs beside the later sign-ins. Figures: ttfd_median_ms / ttfd_p95_ms (the
 * server's `first_data_ms`, as the ttfd bench), callback_p95_ms (the round trip the browser sees), errors
 * (non-302 callbacks, exceptions, jobs without a first page 30 s after the last callback), sign_ins, fire_seconds,
 * first_page_after_redirect (over the callback's 2.5 s budget, which redirects without it), and the emulator's quota
 * refusals (429: per-user window or concurrency; 403: the per-project window, Google's 1,200,000 units a minute).
 * The emulator runs in its own process so it does not share the API's event loop; on a small machine it still
 * shares the cores (machine_cpu_busy_pct: the whole machine's CPU while signing in, every process counted), and
 * signin_/backfill_cpu_pct_<api|emulator|postgres> say which process had them (bench/process-cpu.ts; the API's
 * figure includes this process's sign-in driver).
 *   npm run bench -- load              USERS=100 MAILBOX=2000 SPREAD_MS=10000 npm run bench -- load
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_WORKERS } from '@firstlight/api';
import { sql } from 'kysely';
import { errorsWithStatus, startEmulatorProcess } from './emulator-process.ts';
import { cpuFigures, cpuRows, ownProcess, pidOf, postgresOf, startCpuMeter } from './process-cpu.ts';
import { signInOverHttp } from './sign-in-http.ts';
import { percentile, printTable, startBenchProduct, writeResult } from './support.ts';

const users = Number(process.env.USERS ?? 200);
const mailboxSize = Number(process.env.MAILBOX ?? 2_000);
const spreadMs = Number(process.env.SPREAD_MS ?? 10_000);
/** Then the backfill alone for this long: how fast 200 users' mailboxes fill once they are all signed in. */
const watchMs = Number(process.env.WATCH_MS ?? 60_000);
const emails = Array.from({ length: users }, (_, i) => `load${i}@example.com`);

const emulator = await startEmulatorProcess([
  `--accounts=${emails.map((email) => `${email}:${mailboxSize}`).join(',')}`,
  '--seed=1',
  '--auto-approve',
  '--latency=google',
]);
const product = await startBenchProduct(
  {},
  { LOG_LEVEL: 'silent' },
  { backfill: true, emulatorUrl: emulator.url },
);

/** Busy and total CPU ticks of the whole machine (Linux /proc/stat), to show how saturated the run was. */
function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((sum, n) => sum + n, 0);
    return { busy: total - fields[3]! - fields[4]!, total }; // idle, iowait
  } catch {
    return undefined;
  }
}

/** CPU per process (bench/process-cpu.ts): the API runs in this process, beside the sign-in driver. */
const processes = {
  api: ownProcess(),
  emulator: pidOf(emulator.pid),
  postgres: postgresOf(join(product.config.dataDir, 'pg')),
};

const workers = {
  ...DEFAULT_WORKERS,
  ...(product.config.tasks.mode === 'embedded' ? product.config.tasks.workers : {}),
};

const prefixed = (prefix: string, figures: Record<string, number>) =>
  Object.fromEntries(Object.entries(figures).map(([key, value]) => [`${prefix}${key}`, value]));

try {
  const callbackMs: number[] = [];
  const failures: string[] = [];
  const interval = spreadMs / users;
  const ticksBefore = cpuTicks();
  const signInCpu = startCpuMeter(processes);
  const startedAt = performance.now();
  let lastFiredAt = startedAt;
  await Promise.all(
    emails.map(async (email, i) => {
      await new Promise((resolve) => setTimeout(resolve, startedAt + i * interval - performance.now()));
      lastFiredAt = Math.max(lastFiredAt, performance.now());
      try {
        callbackMs.push((await signInOverHttp(product.url, email)).callbackMs);
      } catch (error) {
        failures.push(`${email}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  const allDoneSeconds = (performance.now() - startedAt) / 1000;
  const ticksAfter = cpuTicks();
  const cpuWhileSigningIn = signInCpu.stop();
  const cpuBusy =
    ticksBefore && ticksAfter
      ? Math.round((100 * (ticksAfter.busy - ticksBefore.busy)) / (ticksAfter.total - ticksBefore.total))
      : Number.NaN;
  const stats = await emulator.stats();

  // Past FIRST_PAGE_BUDGET_MS (2.5 s) the callback redirects anyway and the first page lands later (over the
  // WebSocket in the SPA): wait for those, or the percentiles would leave out the slowest sign-ins.
  const readJobs = () =>
    product.db
      .selectFrom('ingestion_jobs')
      .select(['first_data_ms', 'ingested'])
      .where('kind', '=', 'gmail_backfill')
      .execute();
  let jobs = await readJobs();
  const lateUntil = performance.now() + 30_000;
  while (jobs.some((job) => job.first_data_ms === null) && performance.now() < lateUntil) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    jobs = await readJobs();
  }
  // Rows, not the jobs' counters: those move when a whole batch is done, and a batch spans ~50 s of quota.
  const ingestedAt = async () => {
    const { n } = await product.db
      .selectFrom('emails')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return { at: performance.now(), ingested: Number(n) };
  };
  const watchStart = await ingestedAt();
  const watchCpu = startCpuMeter(processes);
  await new Promise((resolve) => setTimeout(resolve, watchMs));
  const cpuWhileBackfilling = watchCpu.stop();
  const watchEnd = await ingestedAt();
  const { rows: queueStates } = await sql<{ name: string; state: string; n: number }>`
    select name, state, count(*)::int as n from pgboss.job group by 1, 2 order by 1, 2`.execute(product.db);
  console.log(
    `  tasks at the end: ${queueStates.map((row) => `${row.name}/${row.state} ${row.n}`).join(', ')}`,
  );
  const backfillRate = Math.round(
    (watchEnd.ingested - watchStart.ingested) / ((watchEnd.at - watchStart.at) / 1000),
  );
  const firstData = jobs.flatMap((job) => (job.first_data_ms === null ? [] : [job.first_data_ms]));
  const signedIn = users - failures.length;
  const withoutFirstData = Math.max(0, signedIn - firstData.length);
  const overBudget = firstData.filter((ms) => ms > 2_500).length;
  const figures = {
    ttfd_median_ms: percentile(firstData, 50),
    ttfd_p95_ms: percentile(firstData, 95),
    callback_median_ms: Math.round(percentile(callbackMs, 50)),
    callback_p95_ms: Math.round(percentile(callbackMs, 95)),
    errors: failures.length + withoutFirstData,
    first_page_after_redirect: overBudget,
    sign_ins: users,
    fire_seconds: Math.round((lastFiredAt - startedAt) / 100) / 10,
    all_callbacks_done_seconds: Math.round(allDoneSeconds * 10) / 10,
    stored_when_signed_in: jobs.reduce((sum, job) => sum + job.ingested, 0),
    backfill_messages_per_s: backfillRate,
    backfill_watch_s: watchMs / 1000,
    emulator_429: errorsWithStatus(stats, 429),
    emulator_403: errorsWithStatus(stats, 403),
    emulator_units: Object.values(stats.methods).reduce((sum, entry) => sum + entry.units, 0),
    workers_ingest_high: workers['ingest-high'],
    workers_ingest_low: workers['ingest-low'],
    machine_cpu_busy_pct: cpuBusy,
    ...prefixed('signin_', cpuFigures(cpuWhileSigningIn)),
    ...prefixed('backfill_', cpuFigures(cpuWhileBackfilling)),
  };
  for (const failure of failures.slice(0, 5)) console.log(`  failed: ${failure}`);
  printTable(
    `load — ${users} sign-ins over ${spreadMs / 1000} s, ${mailboxSize} messages each, latency 'google', backfill on`,
    [
      ['first page stored, median (ms)', figures.ttfd_median_ms],
      ['first page stored, p95 (ms)', figures.ttfd_p95_ms],
      ['callback round trip, median (ms)', figures.callback_median_ms],
      ['callback round trip, p95 (ms)', figures.callback_p95_ms],
      ['errors (failed sign-ins + jobs without a first page after 30 s)', figures.errors],
      ['first page over the 2.5 s budget (redirected before it)', figures.first_page_after_redirect],
      ['sign-ins fired / over (s)', `${figures.sign_ins} / ${figures.fire_seconds}`],
      ['last callback answered at (s)', figures.all_callbacks_done_seconds],
      ['messages stored once all had signed in (first pages included)', figures.stored_when_signed_in],
      [`then backfilled per second, all users, over ${watchMs / 1000} s`, figures.backfill_messages_per_s],
      [
        `emulator quota (per user ${stats.quota.gmailUnitsPerUser}, per project ${stats.quota.gmailUnitsPerProject} units / ${stats.quota.windowMs} ms)`,
        stats.quota.enabled ? 'on' : 'off',
      ],
      ['emulator units charged while signing in', figures.emulator_units],
      [
        'embedded queue workers, ingest-high / ingest-low',
        `${workers['ingest-high']} / ${workers['ingest-low']}`,
      ],
      [
        'emulator 429s (user quota / concurrency), 403s (project quota), while signing in',
        `${figures.emulator_429}, ${figures.emulator_403}`,
      ],
      ['emulator refusals by cause', JSON.stringify(stats.errorsByCause)],
      ['machine CPU busy while signing in (%, all processes)', figures.machine_cpu_busy_pct],
      ...cpuRows(cpuWhileSigningIn).map(([label, value]): [string, string] => [
        `${label}, signing in`,
        value,
      ]),
      ...cpuRows(cpuWhileBackfilling).map(([label, value]): [string, string] => [
        `${label}, backfill`,
        value,
      ]),
    ],
  );
  await writeResult('load', figures);
} finally {
  await product.close();
  await emulator.close();
}
