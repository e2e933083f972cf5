import { sql } from 'kysely';
import { signIn } from '../chaos/observe.ts';
import { sleep } from '../chaos/supervisor.ts';
import { startCluster } from './cluster.ts';
import { instanceShareMin, type RunFigures, summarise } from './figures.ts';
import type { Mode, ScalePlan, ScaleUser } from './plan.ts';
import { CpuMeter, rssPeakMb } from './process-stats.ts';
import { isOpen, sampleUntil, takeSample } from './sampler.ts';

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
    let failures = 0;
    let signingIn = users.length;
    const signIns = Promise.all(
      users.map(async (user, i) => {
        await sleep(startedAt + user.signInAtMs - Date.now());
        try {
          await signIn(cluster.apis[i % cluster.apis.length]!.url, user.email);
        } catch (error) {
          failures++;
          if (failures <= 5) notes.push(`sign-in ${user.email} failed: ${(error as Error).message}`);
        } finally {
          signingIn--;
        }
      }),
    );
    let lastPrint = 0;
    const { samples, finished } = await sampleUntil(
      () => takeSample(cluster.db, cluster.emulator.url, startedAt),
      {
        everyMs: Number(process.env.SAMPLE_MS ?? 1_000),
        maxMs: plan.maxMs,
        done: (sample) =>
          signingIn === 0 &&
          sample.jobs.size >= users.length - failures &&
          [...sample.jobs.values()].every((job) => !isOpen(job)),
        onSample: (sample) => {
          if (sample.atMs - lastPrint < 15_000) return;
          lastPrint = sample.atMs;
          const open = [...sample.jobs.values()].filter(isOpen).length;
          console.log(
            `  [${mode}] ${Math.round(sample.atMs / 1000)} s: ${sample.jobs.size} signed in, ${open} backfilling, ` +
              `${sample.gmailUnits} units, ${sample.quotaRefusals + sample.concurrencyRefusals} refusals`,
          );
        },
      },
    );
    await signIns;
    if (!finished) notes.push(`${mode}: not every backfill finished within ${plan.maxMs / 1000} s`);
    const cpuPct = cpu.read();
    const rss = Object.fromEntries(
      cluster.apis.map((api) => [`rss_peak_mb_${api.name}`, rssPeakMb(api.pid)]),
    );
    const final = await finalCounts(cluster.db);
    const last = samples.at(-1);
    const summary = summarise(plan, users, samples, {
      storedMessages: final.stored,
      gmailUnits: last?.gmailUnits ?? 0,
    });
    return {
      figures: {
        ...summary,
        instance_share_min: instanceShareMin(final.doneByOwner, plan.instances),
        ...rss,
        rss_peak_mb: Math.max(...Object.values(rss)),
        ...Object.fromEntries(Object.entries(cpuPct).map(([name, pct]) => [`cpu_pct_${name}`, pct])),
        sign_in_failures: failures,
        stored_messages: final.stored,
        gmail_units: last?.gmailUnits ?? 0,
        batches_done: final.doneByOwner.reduce((sum, n) => sum + n, 0),
      },
      notes,
    };
  } finally {
    await cluster.close();
  }
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
