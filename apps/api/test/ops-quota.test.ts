import { OpsQuotaPlanResponse } from '@firstlight/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedAccount } from './support/seed-account.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const OPS_TOKEN = 'ops-token-0123456789abcdefghijklmnop';

describe('ops: the project quota’s daily budget and units per message / per user', () => {
  let test: TestApp;
  const bearer = { authorization: `Bearer ${OPS_TOKEN}` };
  const get = (url: string) => test.app.inject({ method: 'GET', url, headers: bearer });

  beforeAll(async () => {
    test = await buildTestApp({ overrides: { ops: { emails: [], token: OPS_TOKEN } } });
    const db = test.database.db;
    const { accountId, userId } = await seedAccount(db, 'quota-ops@example.com');
    await db
      .insertInto('ingestion_jobs')
      .values({ user_id: userId, account_id: accountId, kind: 'gmail_backfill' })
      .execute();
    await db
      .insertInto('emails')
      .values(
        Array.from({ length: 4 }, (_, i) => ({
          user_id: userId,
          account_id: accountId,
          message_id: `m${i}`,
          thread_id: `t${i}`,
          internal_date: new Date(),
          from_addr: null,
          to_addr: null,
          subject: null,
          snippet: null,
          size_estimate: null,
          parse_error: null,
        })),
      )
      .execute();
  });
  afterAll(() => test?.close());

  it('reports today’s units per class against each class’s share, read from every instance’s grants', async () => {
    // What other instances' grants left in the shared counters: 80 units spent in `high` today.
    await test.database.db
      .insertInto('quota_daily_usage')
      .values({
        resource: 'gmail',
        day: sql<string>`(now() at time zone 'utc')::date`,
        class: 'high',
        units: 80,
      })
      .execute();
    await test.database.db
      .insertInto('quota_allowances')
      .values({ resource: 'gmail', subject: 'acct', tokens: 50 })
      .execute();
    expect(
      await test.app.quota.tryTake({ resource: 'gmail', user: 'acct', class: 'sync', units: 20 }),
    ).toEqual({
      granted: true,
      units: 20,
    });

    const response = await get('/api/ops/quota');
    expect(response.statusCode).toBe(200);
    const plan = OpsQuotaPlanResponse.parse(response.json());
    expect(plan.scheduler).toBe('project');
    const gmail = plan.resources.find((r) => r.resource === 'gmail')!;
    expect(gmail.usedToday).toBe(100);
    // The app's budget is the configured default (80,000,000): far from any class's limit.
    expect(gmail.byClass.find((c) => c.class === 'sync')).toMatchObject({
      units: 20,
      waitingForTomorrow: false,
    });
    expect(gmail.byClass.find((c) => c.class === 'high')).toMatchObject({ units: 80, limit: 72_000_000 });
    // 100 units over 4 stored messages and 1 onboarded user.
    expect(plan.unitsPerMessage).toBe(25);
    expect(plan.unitsPerOnboardedUser).toBe(100);
  });

  it('exports the daily units by class, this instance’s grants and refusals, and the units per message', async () => {
    // A user never credited yet is refused (its demand waits for the next tick).
    const refused = await test.app.quota.tryTake({
      resource: 'gmail',
      user: 'newcomer',
      class: 'low',
      units: 5,
    });
    expect(refused).toMatchObject({ granted: false, reason: 'quota' });
    const lines = (await get('/metrics')).body.split('\n');
    expect(lines).toContain('firstlight_quota_granted_units_total{resource="gmail",class="sync"} 20');
    expect(lines).toContain('firstlight_quota_refusals_total{resource="gmail",class="low",reason="quota"} 1');
    expect(lines).toContain('firstlight_quota_daily_units{resource="gmail",class="high"} 80');
    expect(lines).toContain('firstlight_quota_units_per_message 25');
    expect(lines).toContain('firstlight_quota_units_per_onboarded_user 100');
  });

  it('shows what waits by class, the plan per window against the project limit, the holds and the reset', async () => {
    const db = test.database.db;
    // Held first: a tick of this app credits nothing while the project is held, so the state below stays put.
    await test.app.quota.penalise('gmail', 'project', 60_000);
    await db.deleteFrom('quota_demands').execute();
    // Two users refused in `low`, one in `high` (their demands, as any instance's takes leave them), one lapsed.
    await db
      .insertInto('quota_demands')
      .values([
        {
          resource: 'gmail',
          subject: 'u1',
          class: 'low',
          units: 500,
          expires_at: sql<Date>`now() + interval '1 minute'`,
        },
        {
          resource: 'gmail',
          subject: 'u2',
          class: 'low',
          units: 300,
          expires_at: sql<Date>`now() + interval '1 minute'`,
        },
        {
          resource: 'gmail',
          subject: 'u2',
          class: 'high',
          units: 40,
          expires_at: sql<Date>`now() + interval '1 minute'`,
        },
        {
          resource: 'gmail',
          subject: 'u3',
          class: 'low',
          units: 900,
          expires_at: sql<Date>`now() - interval '1 second'`,
        },
      ])
      .execute();
    // The last tick credited u1 and u2 at these rates; u3 (no live demand) and a user held after a 429.
    await db
      .insertInto('quota_allowances')
      .values([
        { resource: 'gmail', subject: 'u1', rate_per_ms: 2 },
        { resource: 'gmail', subject: 'u2', rate_per_ms: 3 },
        { resource: 'gmail', subject: 'u3', rate_per_ms: 100 },
        { resource: 'gmail', subject: 'held', blocked_until: sql<Date>`now() + interval '1 minute'` },
      ])
      .execute();

    const plan = OpsQuotaPlanResponse.parse((await get('/api/ops/quota')).json());
    const gmail = plan.resources.find((r) => r.resource === 'gmail')!;
    expect(gmail.byClass.find((c) => c.class === 'low')?.demand).toEqual({ users: 2, units: 800 });
    expect(gmail.byClass.find((c) => c.class === 'high')?.demand).toEqual({ users: 1, units: 40 });
    const config = test.app.config.quota.gmail;
    expect(gmail.window).toMatchObject({
      projectLimit: config.projectUnits,
      userLimit: config.userUnits,
      windowMs: config.windowMs,
      // (2 + 3) units/ms credited to the users waiting now, over one window; u3's stale rate left out.
      plannedPerWindow: 5 * config.windowMs,
      usersHeld: 1,
    });
    expect(new Date(gmail.window!.projectHeldUntil!).getTime()).toBeGreaterThan(Date.now());
    expect(plan.resources.find((r) => r.resource === 'calendar')?.window?.projectHeldUntil).toBeNull();
    // The next UTC midnight after the day the budget counts.
    expect(plan.resetsAt).toBe(new Date(Date.parse(`${plan.day}T00:00:00Z`) + 86_400_000).toISOString());
    expect(plan.rateLimited).toMatchObject({ thisInstance: 0 });
  });

  it('is for the ops role only', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/api/ops/quota' });
    expect(response.statusCode).toBe(401);
  });
});
