import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailListQuery, INBOX_FIRST_PAGE_URL } from '@firstlight/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './support/test-app.ts';

describe('serving the SPA', () => {
  let test: TestApp;
  let distDir: string;

  beforeAll(async () => {
    distDir = await mkdtemp(join(tmpdir(), 'firstlight-web-'));
    await mkdir(join(distDir, 'assets'));
    await writeFile(join(distDir, 'index.html'), '<!doctype html><title>shell</title>');
    await writeFile(join(distDir, 'assets', 'app.js'), 'console.log(1)');
    test = await buildTestApp({ overrides: { webDistDir: distDir } });
  });
  afterAll(async () => {
    await test.close();
    await rm(distDir, { recursive: true, force: true });
  });

  it('serves index.html at / and assets by path', async () => {
    const index = await test.app.inject({ method: 'GET', url: '/' });
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('<title>shell</title>');
    const asset = await test.app.inject({ method: 'GET', url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
  });

  it('answers client-side routes with the app shell', async () => {
    const page = await test.app.inject({ method: 'GET', url: '/ops?job=1' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>shell</title>');
  });

  it("announces the inbox's first API calls with the page, so the browser fetches them alongside the bundle", async () => {
    const inbox = await test.app.inject({ method: 'GET', url: '/inbox' });
    expect(inbox.headers.link).toBe(
      `</api/me>; rel=preload; as=fetch; crossorigin=anonymous, <${INBOX_FIRST_PAGE_URL}>; rel=preload; as=fetch; crossorigin=anonymous`,
    );
    // The URL the SPA asks for must be one the API accepts: a preload of a refused query would be wasted.
    const query = new URL(INBOX_FIRST_PAGE_URL, 'http://firstlight.test').searchParams;
    expect(EmailListQuery.safeParse(Object.fromEntries(query)).success).toBe(true);
    expect((await test.app.inject({ method: 'GET', url: '/ops' })).headers.link).toBeUndefined();
  });

  it('keeps 404 for API paths and missing files, with a JSON error', async () => {
    for (const url of ['/api/nope', '/assets/missing.js', '/auth/unknown']) {
      const response = await test.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});

describe('without a web build', () => {
  it('says how to build it instead of failing', async () => {
    const test = await buildTestApp({ overrides: { webDistDir: join(tmpdir(), 'firstlight-no-such-dist') } });
    try {
      const response = await test.app.inject({ method: 'GET', url: '/' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatch(/npm run build/);
    } finally {
      await test.close();
    }
  });
});
