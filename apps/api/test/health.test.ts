import { LivenessResponse, ReadinessResponse } from '@firstlight/contracts';
import { migrate } from '@firstlight/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/test-app.ts';

describe('GET /healthz', () => {
  let test: TestApp;
  beforeAll(async () => {
    test = await buildTestApp();
  });
  afterAll(() => test.close());

  it('says the process is up', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(LivenessResponse.parse(response.json()).status).toBe('ok');
  });
});

describe('GET /readyz', () => {
  it('is ready when the database answers and migrations are applied', async () => {
    const test = await buildTestApp();
    try {
      const response = await test.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(200);
      const body = ReadinessResponse.parse(response.json());
      expect(body.status).toBe('ready');
      expect(body.checks.migrations.pending).toEqual([]);
      expect(body.checks.migrations.applied).toBeGreaterThan(0);
    } finally {
      await test.close();
    }
  });

  it('is not ready (503) while migrations are pending, and ready once applied', async () => {
    const test = await buildTestApp({ migrated: false });
    try {
      const before = await test.app.inject({ method: 'GET', url: '/readyz' });
      expect(before.statusCode).toBe(503);
      const body = ReadinessResponse.parse(before.json());
      expect(body.checks.database.ok).toBe(true);
      expect(body.checks.migrations.ok).toBe(false);
      expect(body.checks.migrations.pending).toContain('0001_initial.sql');

      await migrate(test.database.db);
      const after = await test.app.inject({ method: 'GET', url: '/readyz' });
      expect(after.statusCode).toBe(200);
    } finally {
      await test.close();
    }
  });

  it('is not ready (503) when the database is unreachable', async () => {
    const test = await buildTestApp();
    await test.database.drop();
    const response = await test.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = ReadinessResponse.parse(response.json());
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.database.error).toBeTruthy();
    await test.app.close();
  });
});
