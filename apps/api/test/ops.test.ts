import { randomUUID } from 'node:crypto';
import {
  ApiError,
  MeResponse,
  OpsIngestFailuresResponse,
  OpsIngestionDetailResponse,
  OpsIngestionListResponse,
} from '@firstlight/contracts';
import type { IngestionBatchesTable, IngestionJobsTable } from '@firstlight/db';
import type { Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/auth/session-plugin.ts';
import { startSession } from '../src/auth/session-service.ts';
import { recordIngestFailures } from '../src/ingest-failures/index.ts';
import { buildTestApp, type TestApp } from './support/test-app.ts';

const OPS_TOKEN = 'ops-token-0123456789abcdefghijklmnop';

describe('ops API', () => {
  let test: TestApp;
  let jobs: Record<'running' | 'complete' | 'failedLate' | 'failedEarly' | 'completeEarly', string>;
  let opsCookie: string;
  let aliceCookie: string;

  const bearer = { authorization: `Bearer ${OPS_TOKEN}` };
  const get = (url: string, headers: Record<string, string> = bearer) =>
    test.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    test = await buildTestApp({ overrides: { ops: { emails: ['ops@example.com'], token: OPS_TOKEN } } });
    const db = test.database.db;
    const [ops, alice, bob] = await db
      .insertInto('users')
      .values([
        // Stored with capitals: OPS_EMAILS match whatever the case.
        { email: 'Ops@Example.com', display_name: 'Ops' },
        { email: 'alice@example.com', display_name: 'Alice' },
        { email: 'bob@example.com', display_name: 'Bob' },
      ])
      .returning('id')
      .execute();
    const [aliceAccount, bobAccount] = await db
      .insertInto('accounts')
      .values([
        { user_id: alice!.id, provider_subject: 'sub-alice', email: 'alice@gmail.example' },
        { user_id: bob!.id, provider_subject: 'sub-bob', email: 'bob@gmail.example' },
        { user_id: ops!.id, provider_subject: 'sub-ops', email: 'ops@gmail.example' },
      ])
      .returning('id')
      .execute();

    const job = (
      owner: 'alice' | 'bob',
      values: Partial<Insertable<IngestionJobsTable>>,
    ): Insertable<IngestionJobsTable> => ({
      user_id: owner === 'alice' ? alice!.id : bob!.id,
      account_id: owner === 'alice' ? aliceAccount!.id : bobAccount!.id,
      kind: 'gmail_backfill',
      ...values,
    });
    // Two jobs in the same millisecond (µs apart) and two at the same instant: the keyset must keep them apart.
    const rows = await db
      .insertInto('ingestion_jobs')
      .values([
        job('alice', {
          status: 'running',
          total: 3000,
          listed: 3000,
          ingested: 1500,
          failed: 120,
          first_data_ms: 800,
          created_at: '2026-01-03T00:00:00Z',
        }),
        job('bob', {
          status: 'complete',
          total: 1050,
          listed: 1050,
          ingested: 1050,
          first_data_ms: 650,
          created_at: '2026-01-02T00:00:00.000200Z',
          finished_at: '2026-01-02T00:05:00Z',
        }),
        job('bob', {
          status: 'failed',
          last_error: 'reauth needed',
          created_at: '2026-01-02T00:00:00.000100Z',
        }),
        job('alice', { status: 'failed', last_error: 'gave up', created_at: '2026-01-01T00:00:00Z' }),
        job('alice', { status: 'complete', ingested: 10, created_at: '2026-01-01T00:00:00Z' }),
      ])
      .returning('id')
      .execute();
    jobs = {
      running: rows[0]!.id,
      complete: rows[1]!.id,
      failedLate: rows[2]!.id,
      failedEarly: rows[3]!.id,
      completeEarly: rows[4]!.id,
    };

    const batch = (
      jobId: string,
      seq: number,
      values: Partial<Insertable<IngestionBatchesTable>>,
    ): Insertable<IngestionBatchesTable> => ({
      job_id: jobId,
      seq,
      tier: 'low',
      message_ids: [`m${seq}`],
      message_count: 1000,
      ...values,
    });
    await db
      .insertInto('ingestion_batches')
      .values([
        batch(jobs.running, 0, {
          tier: 'now',
          status: 'done',
          message_count: 50,
          stored_count: 50,
          attempts: 1,
          enqueued_at: '2026-01-03T10:00:00Z',
          started_at: '2026-01-03T10:00:01Z',
          finished_at: '2026-01-03T10:00:03.500Z',
        }),
        batch(jobs.running, 1, {
          tier: 'high',
          status: 'done',
          stored_count: 1000,
          attempts: 2,
          generation: 1,
          started_at: '2026-01-03T10:01:00Z',
          finished_at: '2026-01-03T10:01:12Z',
        }),
        batch(jobs.running, 2, { tier: 'high', status: 'running', started_at: '2026-01-03T10:02:00Z' }),
        batch(jobs.running, 3, { status: 'pending' }),
        batch(jobs.running, 4, { status: 'failed', attempts: 5, failed_count: 120, last_error: 'GiveUp' }),
        batch(jobs.complete, 0, { tier: 'now', status: 'done', message_count: 50, stored_count: 50 }),
        batch(jobs.complete, 1, { tier: 'high', status: 'done', stored_count: 1000 }),
      ])
      .execute();
    await db
      .insertInto('ingestion_failures')
      .values(
        Array.from({ length: 120 }, (_, i) => ({
          job_id: jobs.running,
          seq: 4,
          message_id: `g${String(i).padStart(4, '0')}`,
          reason: 'unparseable headers',
        })),
      )
      .execute();

    const cookieFor = async (userId: string) => {
      const { token } = await startSession(db, userId, null);
      return `${SESSION_COOKIE}=${encodeURIComponent(test.app.signCookie(token))}`;
    };
    opsCookie = await cookieFor(ops!.id);
    aliceCookie = await cookieFor(alice!.id);
  });
  afterAll(() => test.close());

  const routes = () => [
    '/api/ops/ingestions',
    `/api/ops/ingestions/${jobs.running}`,
    '/api/ops/ingest-failures',
    '/metrics',
  ];

  it('answers 401 without credentials or with a wrong token, before validating anything', async () => {
    for (const url of [...routes(), '/api/ops/ingestions/not-a-uuid']) {
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer not-the-ops-token-at-all-0000000' },
      ];
      for (const headers of attempts) {
        const response = await get(url, headers);
        expect(response.statusCode, url).toBe(401);
        expect(ApiError.parse(response.json()).error.code).toBe('unauthenticated');
      }
    }
  });

  it('answers 403 to a signed-in user who is not ops', async () => {
    for (const url of routes()) {
      const response = await get(url, { cookie: aliceCookie });
      expect(response.statusCode, url).toBe(403);
      expect(ApiError.parse(response.json()).error.code).toBe('forbidden');
    }
  });

  it('lets in a signed-in ops user (email matched without case) and the token holder', async () => {
    // /api/me tells the SPA whom to show the link to /ops.
    const me = async (cookie: string) =>
      MeResponse.parse((await get('/api/me', { cookie })).json()).user.isOps;
    expect(await me(opsCookie)).toBe(true);
    expect(await me(aliceCookie)).toBe(false);
    for (const url of routes()) {
      expect((await get(url, { cookie: opsCookie })).statusCode, url).toBe(200);
      expect((await get(url)).statusCode, url).toBe(200);
    }
  });

  it('lists jobs newest first with accounts, progress, batch counts and totals', async () => {
    const response = await get('/api/ops/ingestions');
    expect(response.statusCode).toBe(200);
    const body = OpsIngestionListResponse.parse(response.json());
    expect(body.nextCursor).toBeNull();
    expect(body.jobs.map((job) => job.id).slice(0, 3)).toEqual([
      jobs.running,
      jobs.complete,
      jobs.failedLate,
    ]);
    expect(new Set(body.jobs.slice(3).map((job) => job.id))).toEqual(
      new Set([jobs.failedEarly, jobs.completeEarly]),
    );

    const running = body.jobs[0]!;
    expect(running).toMatchObject({
      accountEmail: 'alice@gmail.example',
      status: 'running',
      total: 3000,
      listed: 3000,
      ingested: 1500,
      failed: 120,
      firstDataMs: 800,
      createdAt: '2026-01-03T00:00:00.000Z',
      finishedAt: null,
      lastError: null,
    });
    expect(running.batches).toEqual({
      total: 5,
      byStatus: { pending: 1, enqueued: 0, running: 1, done: 2, failed: 1 },
      byTier: {
        now: { pending: 0, enqueued: 0, running: 0, done: 1, failed: 0 },
        high: { pending: 0, enqueued: 0, running: 1, done: 1, failed: 0 },
        low: { pending: 1, enqueued: 0, running: 0, done: 0, failed: 1 },
      },
    });
    expect(body.jobs[2]).toMatchObject({ lastError: 'reauth needed', batches: { total: 0 } });

    expect(body.totals).toEqual({
      jobsByStatus: { pending: 0, listing: 0, running: 1, paused: 0, stalled: 0, complete: 2, failed: 2 },
      batchesByStatus: { pending: 1, enqueued: 0, running: 1, done: 4, failed: 1 },
      messagesIngested: 1500 + 1050 + 10,
    });
  });

  it("reports quota use from this instance's counters, saying which window they cover", async () => {
    const metrics = test.app.metrics;
    metrics.quotaUnits.inc(115);
    metrics.gmailCalls.inc({ method: 'messages.list', status: '200' }, 1);
    metrics.gmailCalls.inc({ method: 'messages.get', status: '200' }, 20);
    metrics.gmailCalls.inc({ method: 'messages.get', status: '429' }, 3);
    const before = Date.now();
    const { quota } = OpsIngestionListResponse.parse((await get('/api/ops/ingestions?limit=1')).json());
    expect(quota.window.kind).toBe('since_instance_start');
    expect(Date.parse(quota.window.from)).toBe(metrics.startedAt.getTime());
    expect(Date.parse(quota.window.to)).toBeGreaterThanOrEqual(before);
    expect(quota.quotaUnits).toBe(115);
    expect(quota.gmailCalls.total).toBe(24);
    expect(quota.gmailCalls.rateLimited).toBe(3);
    expect(quota.gmailCalls.byStatus).toEqual({ '200': 21, '429': 3 });
    expect(quota.gmailCalls.byMethod).toContainEqual({ method: 'messages.get', status: '429', count: 3 });
  });

  it('filters by status', async () => {
    const body = OpsIngestionListResponse.parse((await get('/api/ops/ingestions?status=failed')).json());
    expect(body.jobs.map((job) => job.id).sort()).toEqual([jobs.failedLate, jobs.failedEarly].sort());
    expect(body.totals.jobsByStatus.complete).toBe(2); // totals ignore the filter
  });

  it('pages by keyset, every job exactly once, across same-millisecond and same-instant rows', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response = await get(`/api/ops/ingestions?limit=1${query}`);
      expect(response.statusCode).toBe(200);
      const body = OpsIngestionListResponse.parse(response.json());
      seen.push(...body.jobs.map((job) => job.id));
      cursor = body.nextCursor;
    } while (cursor && seen.length < 10);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen.slice(0, 3)).toEqual([jobs.running, jobs.complete, jobs.failedLate]);
  });

  it('answers 400 to a cursor it did not issue, a limit over 200 and an unknown status', async () => {
    for (const query of ['cursor=bm90LWEtY3Vyc29y', 'limit=201', 'status=exploded']) {
      const response = await get(`/api/ops/ingestions?${query}`);
      expect(response.statusCode, query).toBe(400);
      ApiError.parse(response.json());
    }
  });

  it('details a job: every batch with its duration, and the first 100 of its failures', async () => {
    const response = await get(`/api/ops/ingestions/${jobs.running}`);
    expect(response.statusCode).toBe(200);
    const body = OpsIngestionDetailResponse.parse(response.json());
    expect(body.job.id).toBe(jobs.running);
    expect(body.job.batches.total).toBe(5);
    expect(body.batches.map((batch) => [batch.seq, batch.tier, batch.status, batch.durationMs])).toEqual([
      [0, 'now', 'done', 2500],
      [1, 'high', 'done', 12_000],
      [2, 'high', 'running', null],
      [3, 'low', 'pending', null],
      [4, 'low', 'failed', null],
    ]);
    expect(body.batches[0]).toMatchObject({
      attempts: 1,
      generation: 0,
      messageCount: 50,
      storedCount: 50,
      failedCount: 0,
      enqueuedAt: '2026-01-03T10:00:00.000Z',
      startedAt: '2026-01-03T10:00:01.000Z',
      finishedAt: '2026-01-03T10:00:03.500Z',
      lastError: null,
    });
    expect(body.batches[4]).toMatchObject({ attempts: 5, failedCount: 120, lastError: 'GiveUp' });
    expect(body.failures).toHaveLength(100);
    expect(body.failuresTotal).toBe(120);
    expect(body.failures[0]).toMatchObject({ seq: 4, gmailId: 'g0000', reason: 'unparseable headers' });
  });

  it('answers 400 to a job id that is not a uuid and 404 to an unknown one', async () => {
    const invalid = await get('/api/ops/ingestions/not-a-uuid');
    expect(invalid.statusCode).toBe(400);
    expect(ApiError.parse(invalid.json()).error.code).toBe('invalid_request');
    const unknown = await get(`/api/ops/ingestions/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(ApiError.parse(unknown.json()).error.code).toBe('job_not_found');
  });

  it('exports Prometheus text with batches by status and tier read from the database', async () => {
    const response = await get('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const lines = response.body.split('\n');
    for (const line of [
      'firstlight_batches{status="done",tier="now"} 2',
      'firstlight_batches{status="done",tier="high"} 2',
      'firstlight_batches{status="running",tier="high"} 1',
      'firstlight_batches{status="pending",tier="low"} 1',
      'firstlight_batches{status="failed",tier="low"} 1',
      'firstlight_ingestion_jobs{status="failed"} 2',
    ]) {
      expect(lines).toContain(line);
    }
    expect(lines.filter((line) => line.startsWith('firstlight_batches{'))).toHaveLength(5);
  });

  it('counts and lists items Google sent that could not be stored, by source and reason, ids only', async () => {
    const db = test.database.db;
    const account = await db
      .selectFrom('accounts')
      .select(['id', 'user_id'])
      .where('provider_subject', '=', 'sub-alice')
      .executeTakeFirstOrThrow();
    const owner = { accountId: account.id, userId: account.user_id };
    await recordIngestFailures(db, owner, 'gmail', [
      { itemId: 'm1', reason: 'id: not a Gmail id' },
      { itemId: 'm2', reason: 'id: not a Gmail id' },
      { itemId: null, reason: 'item: Invalid input: expected object, received array' },
    ]);
    await recordIngestFailures(db, owner, 'gmail', [{ itemId: 'm1', reason: 'id: not a Gmail id' }]);
    await recordIngestFailures(db, owner, 'calendar', [{ itemId: 'ev\u00001', reason: 'no start or end' }]);

    const response = await get('/api/ops/ingest-failures');
    expect(response.statusCode).toBe(200);
    const body = OpsIngestFailuresResponse.parse(response.json());
    expect(body.bySourceAndReason).toEqual(
      expect.arrayContaining([
        { source: 'gmail', reason: 'id: not a Gmail id', items: 2, occurrences: 3 },
        { source: 'calendar', reason: 'no start or end', items: 1, occurrences: 1 },
      ]),
    );
    expect(body.recent).toHaveLength(4);
    expect(body.recent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source: 'gmail',
          accountEmail: 'alice@gmail.example',
          itemId: 'm1',
          count: 2,
        }),
        expect.objectContaining({ source: 'gmail', itemId: null }),
        expect.objectContaining({ source: 'calendar', itemId: 'ev1' }), // the NUL cleaned from the id
      ]),
    );

    const lines = (await get('/metrics')).body.split('\n');
    expect(lines).toContain('firstlight_ingest_failures{source="gmail",reason="id: not a Gmail id"} 2');
    expect(lines).toContain('firstlight_ingest_failures{source="calendar",reason="no start or end"} 1');
  });
});
