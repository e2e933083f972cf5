import type { createDatabase } from '@firstlight/db';
import { sql } from 'kysely';

/**
 * What the harness reads every SAMPLE_MS while the run goes on: Google's side from the emulator's cumulative
 * counters (units per account, refusals by cause — differenced between samples they give exact units per
 * interval), and the product's side from the database (each user's job and the tier of its next batch).
 */

export interface JobState {
  status: string;
  /** Tier of the lowest batch not done ('now' | 'high' | 'low'), null when none is open (listing, done). */
  tier: string | null;
  firstPageDone: boolean;
  /** ms after the run's start. */
  createdAtMs: number;
  finishedAtMs: number | null;
  firstDataMs: number | null;
}

export interface Sample {
  atMs: number;
  gmailUnits: number;
  /** Cumulative Gmail+Calendar units per account (the emulator's counters). */
  units: Map<string, number>;
  /** Refusals so far: quota (user or project window, 429/403) and concurrency (429). */
  quotaRefusals: number;
  concurrencyRefusals: number;
  jobs: Map<string, JobState>;
}

interface EmulatorCounters {
  methods: Record<string, { calls: number; units: number; errors: Record<string, number> }>;
  errorsByCause: Record<string, number>;
  accounts?: Record<string, { calls: number; units: number }>;
}

export async function emulatorCounters(emulatorUrl: string): Promise<EmulatorCounters> {
  return (await (await fetch(`${emulatorUrl}/admin/stats`)).json()) as EmulatorCounters;
}

type Db = ReturnType<typeof createDatabase>;

interface JobRow {
  email: string;
  status: string;
  tier: string | null;
  first_data_ms: number | null;
  created_at: Date;
  finished_at: Date | null;
  first_page_done: boolean;
}

export async function readJobs(db: Db, startedAt: number): Promise<Map<string, JobState>> {
  const { rows } = await sql<JobRow>`
    select u.email, j.status, j.first_data_ms, j.created_at, j.finished_at,
      (j.first_data_ms is not null) as first_page_done,
      (select b.tier from ingestion_batches b
        where b.job_id = j.id and b.status <> 'done' order by b.seq limit 1) as tier
    from ingestion_jobs j join users u on u.id = j.user_id
    where j.kind = 'gmail_backfill'`.execute(db);
  const relative = (at: Date | null) => (at ? at.getTime() - startedAt : null);
  return new Map(
    rows.map((row) => [
      row.email,
      {
        status: row.status,
        tier: row.tier,
        firstPageDone: row.first_page_done,
        createdAtMs: relative(row.created_at)!,
        finishedAtMs: relative(row.finished_at),
        firstDataMs: row.first_data_ms,
      },
    ]),
  );
}

export async function takeSample(db: Db, emulatorUrl: string, startedAt: number): Promise<Sample> {
  const [counters, jobs] = await Promise.all([emulatorCounters(emulatorUrl), readJobs(db, startedAt)]);
  const gmailUnits = Object.entries(counters.methods)
    .filter(([method]) => method.startsWith('gmail.'))
    .reduce((sum, [, entry]) => sum + entry.units, 0);
  return {
    atMs: Date.now() - startedAt,
    gmailUnits,
    units: new Map(Object.entries(counters.accounts ?? {}).map(([email, entry]) => [email, entry.units])),
    quotaRefusals: counters.errorsByCause.quota ?? 0,
    concurrencyRefusals: counters.errorsByCause.concurrency ?? 0,
    jobs,
  };
}

export const isOpen = (job: JobState | undefined) =>
  job !== undefined && job.status !== 'complete' && job.status !== 'failed';

/** Samples until `done()` says so or `maxMs` passes; a failed read is skipped, not fatal. */
export async function sampleUntil(
  read: () => Promise<Sample>,
  options: {
    everyMs: number;
    maxMs: number;
    done: (sample: Sample) => boolean;
    onSample?: (s: Sample) => void;
  },
): Promise<{ samples: Sample[]; finished: boolean }> {
  const samples: Sample[] = [];
  const until = performance.now() + options.maxMs;
  while (performance.now() < until) {
    const began = performance.now();
    try {
      const sample = await read();
      samples.push(sample);
      options.onSample?.(sample);
      if (options.done(sample)) return { samples, finished: true };
    } catch {
      // a busy moment: the next sample covers it
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, options.everyMs - (performance.now() - began))),
    );
  }
  return { samples, finished: false };
}
