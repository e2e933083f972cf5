import type { Database } from '@firstlight/db';
import type { EmulatorHandle, UsageWindow } from '@firstlight/google-emulator';
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { AppOnDatabase } from './support/backfill-app.ts';
import { cleanupsOf, WINDOW_MS, waitFor } from './support/backfill-harness.ts';
import { allComplete, deployment, emulatorFor, expectEachStoredExactlyOnce } from './support/deployment.ts';
import { jain } from './support/fairness.ts';
import { signIn } from './support/sign-in.ts';

/*
 * Issue 17's done-when: three whole API instances on one database and one emulator whose PROJECT quota binds.
 * Google's minute is twelve of the tests' windows here (7.2 s): each user may spend 2,400 units in it, the
 * project 6,000 — 2.5 users' worth, so five backfills want twice what the project allows. 90 % of each is
 * planned: the project's 150 messages/s stay well below what three instances do on 2 cores (a run that the CPU,
 * not the quota, bound would prove nothing about the plan). Why not the 600 ms window: a tick is 1/60 of the
 * window and an allowance holds two ticks of the user's rate — on 600 ms, 2 messages' worth, so a batch's grant
 * (fetch, store, ask again) takes longer than the credit it can hold and the machine, not the plan, sets the
 * pace; here it holds 14 messages (120 ms ticks). And the reserve for first pages (10 % of the rate, at most the
 * 9 % of a window that the 90 % target leaves) holds 540 units, two whole first pages (list, profile, 50
 * messages' metadata: 256), where a 600 ms window would hold a fraction of one.
 */
const WINDOW = 12 * WINDOW_MS;
const USER_UNITS = 2_400;
const PROJECT_UNITS = 6_000;
const MAILBOX = 1_000;
const EARLY = Array.from({ length: 5 }, (_, i) => `early-${i}@example.com`);
const NEWCOMER = 'newcomer@example.com';
const EVERYONE = [...EARLY, NEWCOMER];
/** The buckets of stored messages that fairness is measured over (a sixth of the window). */
const BUCKET_MS = WINDOW / 6;

type Deployment = Awaited<ReturnType<typeof deployment>>;

/** Gmail quota granted (units) and refused (requests) on every instance, by class (the scheduler's metrics). */
async function quotaByClass(instances: AppOnDatabase[]) {
  const sum = async (counter: 'quotaGranted' | 'quotaRefusals') => {
    const byClass: Record<string, number> = {};
    for (const { app } of instances) {
      for (const { labels, value } of (await app.metrics[counter].get()).values) {
        if (labels.resource !== 'gmail') continue;
        byClass[String(labels.class)] = (byClass[String(labels.class)] ?? 0) + value;
      }
    }
    return byClass;
  };
  return { granted: await sum('quotaGranted'), refused: await sum('quotaRefusals') };
}

/** Fails the wait at once when the emulator refused a call for quota (a user's window or the project's). */
const noRateLimitYet = (emulator: EmulatorHandle) => () => {
  const refused = emulator.admin.stats().errorsByCause.quota;
  if (refused > 0) throw new Error(`the emulator refused ${refused} calls for quota`);
};

/** Each user's backfill as the database recorded it: when its high tier ended, when it finished. */
async function phasesOf(db: Kysely<Database>) {
  const rows = await db
    .selectFrom('ingestion_jobs as j')
    .innerJoin('users as u', 'u.id', 'j.user_id')
    .select(['j.id', 'u.email', 'j.finished_at', 'j.first_page_ids', 'j.user_id'])
    .execute();
  const batches = await db.selectFrom('ingestion_batches').selectAll().execute();
  return new Map(
    rows.map((job) => {
      const mine = batches.filter((batch) => batch.job_id === job.id);
      const high = mine.find((batch) => batch.tier === 'high');
      return [job.email, { job, high, low: mine.filter((batch) => batch.tier === 'low') }] as const;
    }),
  );
}
type Phases = Awaited<ReturnType<typeof phasesOf>>;

/** Every early user's high tier is done and its low tier under way, and the last full window was saturated. */
async function saturatedByLowTier(db: Kysely<Database>, emulator: EmulatorHandle) {
  noRateLimitYet(emulator)();
  const phases = await phasesOf(db);
  const early = EARLY.map((email) => phases.get(email));
  const inLow = early.every((p) => p?.high?.status === 'done' && p.job.finished_at === null);
  const [previous] = emulator.admin.quotaUsage({ last: 2, users: false }); // oldest first: the last full one
  return inLow && previous!.gmail.units >= 0.7 * PROJECT_UNITS ? true : undefined;
}

/** Users in their low tier from `start` to `end`: the recent tier done, the backfill not finished. */
function inLowTier(phases: Phases, start: number, end: number): string[] {
  return [...phases]
    .filter(([, p]) => p.high?.finished_at && p.high.finished_at.getTime() <= start)
    .filter(([, p]) => p.job.finished_at && p.job.finished_at.getTime() >= end)
    .map(([email]) => email);
}

/**
 * Quota windows during which at least three users were in their low tier from start to end: they wanted more
 * than the project gives (3 × 2,400 > 6,000), so the project's limit bound. Their use of the project's limit.
 */
function boundWindows(windows: UsageWindow[], phases: Phases): number[] {
  return windows
    .filter((w) => w.complete && inLowTier(phases, Date.parse(w.start), Date.parse(w.end)).length >= 3)
    .map((w) => w.gmail.units / w.gmail.limit);
}

/**
 * Users with a low-tier batch in progress from `start` to `end` (leased first before, done after): backfilling
 * in the same class at the same time. Not a user between two batches: its next one waits for the queue then,
 * not for quota — it asks for none.
 */
function runningLowBatch(phases: Phases, start: number, end: number): string[] {
  return [...phases]
    .filter(([, p]) =>
      p.low.some(
        (b) =>
          b.started_at && b.finished_at && b.started_at.getTime() <= start && b.finished_at.getTime() >= end,
      ),
    )
    .map(([email]) => email);
}

/**
 * Messages stored per user in buckets of BUCKET_MS (the database's `ingested_at`), for the buckets in which at
 * least three users had a low-tier batch in progress throughout: each bucket's counts of those users.
 */
async function lowTierBuckets(db: Kysely<Database>, phases: Phases): Promise<number[][]> {
  const rows = await db
    .selectFrom('emails as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .select([
      'u.email',
      sql<number>`floor(extract(epoch from e.ingested_at) * 1000 / ${BUCKET_MS})`.as('bucket'),
      (eb) => eb.fn.countAll<number>().as('n'),
    ])
    .groupBy(['u.email', 'bucket'])
    .execute();
  const counts = new Map(rows.map((row) => [`${row.email} ${Number(row.bucket)}`, Number(row.n)]));
  const buckets = [...new Set(rows.map((row) => Number(row.bucket)))].sort((x, y) => x - y);
  return buckets.flatMap((bucket) => {
    const users = runningLowBatch(phases, bucket * BUCKET_MS, (bucket + 1) * BUCKET_MS);
    return users.length >= 3 ? [users.map((email) => counts.get(`${email} ${bucket}`) ?? 0)] : [];
  });
}

/** The newcomer's first page, stored: the latest `ingested_at` of its first-page messages. */
async function firstPageStoredAt(db: Kysely<Database>, phases: Phases): Promise<Date> {
  const { job } = phases.get(NEWCOMER)!;
  expect(job.first_page_ids.length).toBeGreaterThan(0);
  const row = await db
    .selectFrom('emails')
    .select((eb) => eb.fn.max('ingested_at').as('at'))
    .where('user_id', '=', job.user_id)
    .where('message_id', 'in', job.first_page_ids)
    .executeTakeFirstOrThrow();
  return new Date(row.at as Date);
}

/** Messages stored per user in [from, to]. */
async function storedBetween(db: Kysely<Database>, from: Date, to: Date) {
  const rows = await db
    .selectFrom('emails as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .select(['u.email', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.ingested_at', '>=', from)
    .where('e.ingested_at', '<=', to)
    .groupBy('u.email')
    .execute();
  return new Map(rows.map((row) => [row.email, Number(row.n)]));
}

async function startDeployment(defer: ReturnType<typeof cleanupsOf>) {
  const emulator = await emulatorFor(defer, 17, EVERYONE, MAILBOX, {
    windowMs: WINDOW,
    gmailUnitsPerUser: USER_UNITS,
    gmailUnitsPerProject: PROJECT_UNITS,
  });
  const deployed = await deployment(defer, emulator, 3, {
    // More low-tier workers than users: a batch waiting in place for its grant holds its worker meanwhile.
    workers: { 'ingest-high': 2, 'ingest-low': 3, writeback: 1 },
    quota: { quotaUnits: USER_UNITS, quotaWindowMs: WINDOW, quotaUtilisation: 0.9 },
    // Batches of 250: the recent tier is the first 200 after the first page, the archive the other 750. A grant
    // refused for about a tick (120 ms) is waited for in place: with the default (100 ms) every refusal would go
    // back through the queue, whose 0.5 s poll here is longer than the 240 ms of credit an allowance holds.
    settings: { batchSize: 250, listPageSize: 250, waitInPlaceMs: 150 },
    // The controls (each makes this test fail): QUOTA_SCHEDULER_OVERRIDE=per-user (no project budget: the
    // emulator refuses calls), QUOTA_RESERVE_OVERRIDE=0 (no reserve: the first page is refused and waits).
    scheduler: (derived) => ({
      ...derived,
      gmail: { ...derived.gmail, projectUnits: PROJECT_UNITS },
      interactiveReserve: Number(process.env.QUOTA_RESERVE_OVERRIDE ?? 0.1),
      ...(process.env.QUOTA_SCHEDULER_OVERRIDE === 'per-user' ? { scheduler: 'per-user' as const } : {}),
    }),
  });
  return { emulator, ...deployed };
}

/** The emulator refused nothing, at any scope: the project's limit (403), a user's (429), concurrency (429). */
function expectNoRateLimit(emulator: EmulatorHandle) {
  const stats = emulator.admin.stats();
  expect(stats.errorsByCause).toEqual({ quota: 0, concurrency: 0, fault: 0, auth: 0, drop: 0 });
  const refused = { user: 0, project: 0, concurrency: 0 };
  for (const window of emulator.admin.quotaUsage({ users: false }))
    for (const kind of ['user', 'project', 'concurrency'] as const)
      refused[kind] += window.gmail.refused[kind];
  expect(refused).toEqual({ user: 0, project: 0, concurrency: 0 });
}

describe('three whole instances under a project quota that binds (issue 17)', () => {
  it('never draws a rate limit, serves a first page while the low tier waits, and shares the low tier fairly', async (context) => {
    const defer = cleanupsOf(context);
    const { emulator, db, instances }: { emulator: EmulatorHandle } & Deployment =
      await startDeployment(defer);
    // Sign-ins spread over the instances; each user's batches then go to any of them.
    for (const [i, email] of EARLY.entries()) await signIn(instances[i % 3]!.app, email);
    await waitFor(() => saturatedByLowTier(db, emulator), 90_000, 'the low tier to saturate the project');

    const before = await quotaByClass(instances);
    await signIn(instances[1]!.app, NEWCOMER);
    const after = await quotaByClass(instances);
    await allComplete(db, EVERYONE.length, 150_000, noRateLimitYet(emulator));

    // 1. No rate limit of any scope (every mailbox stored exactly once: at the end).
    expectNoRateLimit(emulator);
    const phases = await phasesOf(db);
    const bound = boundWindows(emulator.admin.quotaUsage({ users: false }), phases);
    const buckets = await lowTierBuckets(db, phases);

    // The project's limit bound: the windows in which the low tier wanted more used most of it. (Checked first:
    // a machine too busy to keep up — the CPU, not the quota, setting the pace — fails here, not on what follows.)
    expect(bound.length).toBeGreaterThan(0);
    for (const used of bound)
      expect(used, `windows used ${bound.join(', ')} of the limit`).toBeGreaterThanOrEqual(0.7);
    // 2. Priority. The first page was paid as interactive (list 5, profile 1, 50 messages' metadata 250) and
    // needed no retry: no interactive request was refused on any instance during the sign-in, while low-tier
    // requests were (waiting for credits)...
    const delta = (side: 'granted' | 'refused', cls: string) =>
      (after[side][cls] ?? 0) - (before[side][cls] ?? 0);
    expect(delta('granted', 'interactive')).toBeGreaterThanOrEqual(256);
    expect(delta('refused', 'interactive')).toBe(0);
    expect(delta('refused', 'low')).toBeGreaterThan(0);
    // ...and it was stored before any early user's low tier was done.
    const firstPageAt = await firstPageStoredAt(db, phases);
    for (const email of EARLY)
      expect(phases.get(email)!.job.finished_at!.getTime()).toBeGreaterThan(firstPageAt.getTime());
    // Then the newcomer's recent tier (high) went before the archive (low): while it ran, the newcomer stored
    // more than twice as many messages as any early user (its own rate, against their share of the rest).
    const newcomerHigh = phases.get(NEWCOMER)!.high!;
    const during = await storedBetween(db, newcomerHigh.started_at!, newcomerHigh.finished_at!);
    const earlyMost = Math.max(...EARLY.map((email) => during.get(email) ?? 0));

    console.info(
      `project quota (3 instances): windows bound by the low tier used ${bound.map((u) => u.toFixed(2)).join(', ')} of the limit; ` +
        `low-tier buckets ${buckets.map((counts) => `[${counts.join(',')}] ${jain(counts).toFixed(3)}`).join('; ')}; ` +
        `newcomer's high tier ${during.get(NEWCOMER)} messages vs early ≤ ${earlyMost}; refusals ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
    expect(during.get(NEWCOMER) ?? 0).toBeGreaterThan(2 * earlyMost);

    // 3. Fair shares within the low tier: Jain's index of the messages each user stored, bucket by bucket.
    expect(buckets.length).toBeGreaterThanOrEqual(5);
    for (const counts of buckets) expect(jain(counts)).toBeGreaterThanOrEqual(0.9);

    await expectEachStoredExactlyOnce(db, emulator, EVERYONE);
  }, 240_000);
});
