import { createDatabase, type Database } from '@firstlight/db';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { auth, gmail, type gmail_v1 } from '@googleapis/gmail';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaConfig } from '../src/config.ts';
import { ProjectQuotaScheduler, type QuotaClass, QuotaTickLoop } from '../src/quota/index.ts';
import { mailboxIds } from './support/backfill-harness.ts';

// A time-scaled project: Google's minute is 1.5 s here, the project may spend 1,500 units in it and each user
// 300. Eight heavy low-tier users alone want 8 × 270 planned units a window, far more than the project's 1,350:
// the project limit binds, as with ~210 real backfills.
const WINDOW_MS = 1_500;
const PROJECT_UNITS = 1_500;
const USER_UNITS = 300;
const CONFIG: Omit<QuotaConfig, 'scheduler'> = {
  // 90 %: with 30 ticks a window here (60 by default) the margin must also hold an allowance (2 ticks) and a
  // tick's spill, and the calls of a grant run a little after it on a loaded machine.
  gmail: {
    projectUnits: PROJECT_UNITS,
    userUnits: USER_UNITS,
    windowMs: WINDOW_MS,
    utilisation: 0.9,
    dailyUnits: 1e9,
  },
  calendar: { projectUnits: 100, userUnits: 10, windowMs: WINDOW_MS, utilisation: 0.95, dailyUnits: 1e9 },
  interactiveReserve: 0.05,
  dailyClassShares: { interactive: 1, sync: 1, high: 0.9, low: 0.75 },
  tickMs: 50,
};
const HEAVY_LOW = Array.from({ length: 8 }, (_, i) => `low-${i}@example.com`);
const HEAVY_HIGH = ['high-0@example.com', 'high-1@example.com'];
const LIGHT = 'light@example.com';
const SIGN_IN = 'new@example.com';
const EVERYONE = [...HEAVY_LOW, ...HEAVY_HIGH, LIGHT, SIGN_IN];
/** The run ends once the heavy low-tier users were granted this much in all (a condition, not a duration). */
const LOW_TOTAL_TARGET = HEAVY_LOW.length * 400;

/** Jain's fairness index: 1 when every share is equal, 1/n when one user has everything. */
const jain = (xs: number[]) =>
  xs.reduce((s, x) => s + x, 0) ** 2 / (xs.length * xs.reduce((s, x) => s + x * x, 0));

interface SimUser {
  email: string;
  api: gmail_v1.Gmail;
  ids: string[];
  next: number;
  granted: number;
  refusals: number;
}

describe('three project schedulers on one database, users calling the emulator’s Gmail', () => {
  let emulator: EmulatorHandle;
  let database: TestDatabase;
  const pools: Kysely<Database>[] = [];
  const loops: QuotaTickLoop[] = [];
  let instances: ProjectQuotaScheduler[];
  const users = new Map<string, SimUser>();

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 17,
      latency: 'none',
      autoApprove: true,
      accounts: EVERYONE.map((email) => ({ email, mailboxSize: 400 })),
    });
    for (const email of EVERYONE) {
      const oauth = new auth.OAuth2();
      oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
      const api = gmail({ version: 'v1', auth: oauth, rootUrl: `${emulator.url}/` });
      users.set(email, {
        email,
        api,
        ids: await mailboxIds(emulator, email),
        next: 0,
        granted: 0,
        refusals: 0,
      });
    }
    // The time-scaled quota starts from a clean slate, after the listing above.
    emulator.admin.setQuota({
      windowMs: WINDOW_MS,
      gmailUnitsPerProject: PROJECT_UNITS,
      gmailUnitsPerUser: USER_UNITS,
    });
    emulator.admin.resetStats();
    database = await createTestDatabase();
    instances = [0, 1, 2].map(() => {
      const db = createDatabase({ connectionString: database.url, max: 4 });
      pools.push(db);
      const scheduler = new ProjectQuotaScheduler({ db, config: CONFIG });
      const loop = new QuotaTickLoop(scheduler, { error: (error) => console.error(error) });
      loops.push(loop);
      return scheduler;
    });
  });
  afterAll(async () => {
    await Promise.all(loops.map((loop) => loop.stop()));
    await Promise.all(pools.map((db) => db.destroy()));
    await database?.drop();
    await emulator?.close();
  });

  /** Spends a grant as a batch would: one messages.get (5 units) per message the grant covers. */
  /** Google's rate-limit answers during the scheduled run, by status: 403 is the project's limit, 429 a user's. */
  const limited: Record<number, number> = {};

  async function spend(user: SimUser, units: number, record = false): Promise<void> {
    for (let i = 0; i < Math.floor(units / 5); i++) {
      const id = user.ids[user.next++ % user.ids.length]!;
      await user.api.users.messages.get({ userId: 'me', id, format: 'minimal' }).catch((error) => {
        const status = (error as { response?: { status?: number } }).response?.status ?? 0;
        if (!record || (status !== 403 && status !== 429)) throw error;
        limited[status] = (limited[status] ?? 0) + 1;
      });
    }
  }

  /** A backfill-like user on instance `n % 3`: asks, spends what it got, and waits `retryInMs` when refused. */
  async function backfill(user: SimUser, n: number, cls: QuotaClass, done: () => boolean) {
    const scheduler = instances[n % 3]!;
    while (!done()) {
      const answer = await scheduler.tryTake({
        resource: 'gmail',
        user: user.email,
        class: cls,
        units: 25,
        minUnits: 5,
      });
      if (answer.granted) {
        user.granted += answer.units;
        await spend(user, answer.units, true);
      } else {
        user.refusals++;
        await new Promise((resolve) => setTimeout(resolve, Math.min(answer.retryInMs, 200)));
      }
    }
    await scheduler.withdraw('gmail', user.email);
  }

  it('(control) the same users without the scheduler overrun the project: the emulator refuses them (429/403)', {
    timeout: 60_000,
  }, async () => {
    const heavy = [...HEAVY_LOW, ...HEAVY_HIGH].map((email) => users.get(email)!);
    const refused = () => emulator.admin.stats().errorsByCause.quota > 0;
    let calls = 0;
    // Four calls in flight per user (the emulator allows ten): offered load well above the project's 1,000 units/s.
    const loops = heavy.flatMap((user) => [0, 1, 2, 3].map(() => user));
    await Promise.all(
      loops.map(async (user) => {
        while (!refused() && calls < 20_000) {
          calls++;
          await spend(user, 5).catch((error: { response?: { status?: number } }) => {
            if (error.response?.status !== 429 && error.response?.status !== 403) throw error;
          });
        }
      }),
    );
    expect(refused()).toBe(true);
    // A clean slate for the scheduled run.
    emulator.admin.setQuota({ windowMs: WINDOW_MS });
    emulator.admin.resetStats();
  });

  it('never draws a 429, serves classes in order and shares a class fairly', {
    timeout: 120_000,
  }, async () => {
    for (const loop of loops) loop.start();
    const low = HEAVY_LOW.map((email) => users.get(email)!);
    const high = HEAVY_HIGH.map((email) => users.get(email)!);
    const light = users.get(LIGHT)!;
    const lowTotal = () => low.reduce((sum, user) => sum + user.granted, 0);
    const finished = () => lowTotal() >= LOW_TOTAL_TARGET;
    // The light user wants 25 units, then rests for 300 ms (up to 10 times): less than an even share of its tier.
    const LIGHT_WANTS = 10;
    let lightAsked = 0;
    let lightStarted = 0;
    const lightDone = () => finished() || lightAsked >= LIGHT_WANTS;
    const interactive: { granted: boolean; lowRefusedMeanwhile: boolean }[] = [];

    await Promise.all([
      ...low.map((user, i) => backfill(user, i, 'low', finished)),
      ...high.map((user, i) => backfill(user, i + 1, 'high', finished)),
      (async () => {
        while (!lightDone()) {
          let wanted = 25;
          lightStarted++;
          while (wanted > 0 && !finished()) {
            const answer = await instances[2]!.tryTake({
              resource: 'gmail',
              user: LIGHT,
              class: 'low',
              units: wanted,
              minUnits: 5,
            });
            if (answer.granted) {
              light.granted += answer.units;
              wanted -= answer.units;
              await spend(light, answer.units);
            } else await new Promise((resolve) => setTimeout(resolve, Math.min(answer.retryInMs, 200)));
          }
          if (wanted === 0) lightAsked++;
          await instances[2]!.withdraw('gmail', LIGHT);
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      })(),
      // Sign-ins while the project is saturated: a first page (list + 10 messages = 55 units) from the reserve.
      (async () => {
        const user = users.get(SIGN_IN)!;
        while (interactive.length < 3 && !finished()) {
          const answer = await instances[interactive.length % 3]!.tryTake({
            resource: 'gmail',
            user: SIGN_IN,
            class: 'interactive',
            units: 55,
          });
          if (!answer.granted) {
            await new Promise((resolve) => setTimeout(resolve, answer.retryInMs));
            continue;
          }
          const probe = await instances[0]!.tryTake({
            resource: 'gmail',
            user: low[0]!.email,
            class: 'low',
            units: 25,
            minUnits: 25,
          });
          if (probe.granted) low[0]!.granted += probe.units;
          interactive.push({ granted: true, lowRefusedMeanwhile: !probe.granted });
          await user.api.users.messages.list({ userId: 'me', maxResults: 10 });
          await spend(user, 50);
          await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
        }
      })(),
    ]);

    const stats = emulator.admin.stats();
    // No rate limit of any scope: the plan kept the project (403) and every user (429) under Google's windows.
    expect(limited).toEqual({});
    expect(stats.errorsByCause.quota).toBe(0);
    expect(stats.totals.errors).toBe(0);
    // The project was saturated: the low tier was refused again and again while it waited for credits.
    expect(low.reduce((sum, user) => sum + user.refusals, 0)).toBeGreaterThan(50);
    // Priority: each high-tier user got more than any low-tier user (its full per-user rate vs the rest's share).
    const lowGranted = low.map((user) => user.granted);
    for (const user of high) expect(user.granted).toBeGreaterThan(Math.max(...lowGranted));
    // First pages were served from the reserve while the low tier waited.
    expect(interactive.length).toBe(3);
    expect(interactive.filter((take) => take.lowRefusedMeanwhile).length).toBeGreaterThanOrEqual(2);
    // Max-min fairness within the low tier: equal demand, (nearly) equal grants.
    expect(jain(lowGranted)).toBeGreaterThanOrEqual(0.95);
    // A user that wants less gets all it wants: every one of its requests served before the heavy users finished.
    // (Only a request cut short by the end of the run may be incomplete.)
    expect(lightAsked).toBeGreaterThanOrEqual(Math.max(5, lightStarted - 1));
    expect(light.granted).toBeGreaterThanOrEqual(lightAsked * 25);
    expect(light.granted).toBeLessThan(Math.min(...lowGranted));
    console.info(
      `quota figures: low ${lowGranted.join(',')} (jain ${jain(lowGranted).toFixed(3)}), high ${high.map((u) => u.granted).join(',')}, light ${light.granted}, units charged ${stats.totals.units}`,
    );
  });
});
