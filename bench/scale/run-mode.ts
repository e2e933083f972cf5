import { sql } from 'kysely';
import { signIn } from '../chaos/observe.ts';
import { sleep } from '../chaos/supervisor.ts';
import { type Cluster, startCluster } from './cluster.ts';
import { instanceShareMin, type RunFigures, summarise } from './figures.ts';
import type { Mode, ScalePlan, ScaleUser } from './plan.ts';
import { CpuMeter, rssPeakMb } from './process-stats.ts';
import { isOpen, type Sample, sampleUntil, takeSample } from './sampler.ts';
import { fromWindows, usageWindows } from './windows.ts';

/**
 * One mode of the `scale` benchmark on a fresh deployment: sign the users in on schedule (round robin over the
 * instances, as a load balancer would), sample until every backfill is done (or `maxMs`), then read the
 * figures and stop everything.
 */

export interface ModeResult {
  figures: RunFigures & {
    instance_share_min: number;
    sign_in_failures: number;
    stored_messages: number;
    gmail_units: number;
  } & Record<string, number>;
  notes: string[];
}

/** Fires each sign-in at its time, round robin over the instances; counts what is still signing in. */
function signInAll(cluster: Cluster, users: ScaleUser[], startedAt: number, notes: string[]) {
  const state = { failures: 0, pending: users.length, done: Promise.resolve() };
  state.done = Promise.all(
    users.map(async (user, i) => {
      await sleep(Math.max(0, startedAt + user.signInAtMs - Date.now()));
      try {
        await signIn(cluster.apis[i % cluster.apis.length]!.url, user.email);
      } catch (error) {
        state.failures++;
        if (state.failures <= 5) notes.push(`sign-in ${user.email} failed: ${(error as Error).message}`);
      } finally {
        state.pending--;
      }
    }),
  ).then(() => undefined);
  return state;
}

function progress(mode: Mode) {
  let lastPrint = 0;
  return (sample: Sample) => {
    if (sample.atMs - lastPrint < 15_000) return;
    lastPrint = sample.atMs;
    const open = [...sample.jobs.values()].filter(isOpen).length;
    console.log(
      `  [${mode}] ${Math.round(sample.atMs / 1000)} s: ${sample.jobs.size} signed in, ${open} backfilling, ` +
        `${sample.gmailUnits} units, ${sample.quotaRefusals + sample.concurrencyRefusals} refusals`,
    );
  };
}

export async function runMode(
  plan: ScalePlan,
  mode: Mode,
  users: ScaleUser[],
  logDir: string,
): Promise<ModeResult> {
  const cluster = await startCluster(plan, mode, users, logDir);
  const notes: string[] = [];
  try {
    const cpu = new CpuMeter({
      ...Object.fromEntries(cluster.apis.map((api) => [api.name, () => ({ pid: api.pid })])),
      emulator: () => ({ pid: cluster.emulator.pid }),
      postgres: () => ({ pid: cluster.postgres.pid, tree: true }),
    });
    const startedAt = Date.now();
    const signIns = signInAll(cluster, users, startedAt, notes);
    const { samples, finished } = await sampleUntil(
      () => takeSample(cluster.db, cluster.emulator.url, startedAt),
      {
        everyMs: Number(process.env.SAMPLE_MS ?? 1_000),
        maxMs: plan.maxMs,
        done: (sample) =>
          signIns.pending === 0 &&
          sample.jobs.size >= users.length - signIns.failures &&
          [...sample.jobs.values()].every((job) => !isOpen(job)),
        onSample: progress(mode),
      },
    );
    await signIns.done;
    if (!finished) notes.push(`${mode}: not every backfill finished within ${plan.maxMs / 1000} s`);
    const cpuPct = cpu.read();
    const rss = Object.fromEntries(
      cluster.apis.map((api) => [`rss_peak_mb_${api.name}`, rssPeakMb(api.pid)]),
    );
    const final = await finalCounts(cluster.db);
    const gmailUnits = samples.at(-1)?.gmailUnits ?? 0;
    const summary = summarise(plan, users, samples, { storedMessages: final.stored, gmailUnits });
    const exact = await exactFigures(plan, mode, cluster, samples, startedAt, notes);
    return {
      figures: {
        ...summary,
        ...exact(summary),
        instance_share_min: instanceShareMin(final.doneByOwner, plan.instances),
        ...rss,
        rss_peak_mb: Math.max(...Object.values(rss)),
        ...Object.fromEntries(Object.entries(cpuPct).map(([name, pct]) => [`cpu_pct_${name}`, pct])),
        sign_in_failures: signIns.failures,
        stored_messages: final.stored,
        gmail_units: gmailUnits,
        batches_done: final.doneByOwner.reduce((sum, n) => sum + n, 0),
      },
      notes,
    };
  } finally {
    await cluster.close();
  }
}

/** The emulator's own per-window usage when it has it (exact windows); else the counters' differences. */
async function exactFigures(
  plan: ScalePlan,
  mode: Mode,
  cluster: Cluster,
  samples: Sample[],
  startedAt: number,
  notes: string[],
) {
  const windows = await usageWindows(cluster.emulator.url);
  notes.push(
    windows
      ? `${mode}: utilisation and fairness from the emulator's per-window usage (${windows.length} windows)`
      : `${mode}: utilisation and fairness from the emulator's cumulative counters, differenced per sample`,
  );
  if (!windows) return () => ({});
  const exact = fromWindows(plan, windows, samples, startedAt);
  return (summary: RunFigures) => ({
    project_quota_utilisation: exact.utilisation,
    fairness_jain: exact.fairness,
    fairness_windows: exact.windows,
    project_quota_utilisation_samples: summary.project_quota_utilisation,
    fairness_jain_samples: summary.fairness_jain,
  });
}

/** Rows stored, and batches done per instance: `lease_owner` stays on a done batch (the instance that ran it). */
async function finalCounts(db: Parameters<typeof takeSample>[0]) {
  const { rows: stored } = await sql<{ n: number }>`select count(*)::int as n from emails`.execute(db);
  const { rows: owners } = await sql<{ owner: string | null; n: number }>`
    select lease_owner as owner, count(*)::int as n from ingestion_batches
    where status = 'done' group by 1 order by 2 desc`.execute(db);
  return {
    stored: stored[0]?.n ?? 0,
    doneByOwner: owners.filter((row) => row.owner !== null).map((row) => row.n),
  };
}
