import { randomBytes } from 'node:crypto';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';
import { buildLoggedApp, fakeWebBuild, security } from './guarded-app.ts';

/** `Content-Security-Policy` as directive → its sources. */
function csp(header: string | string[] | number | undefined): Record<string, string[]> {
  return Object.fromEntries(
    String(header)
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('browser security headers', () => {
  let web: Awaited<ReturnType<typeof fakeWebBuild>>;
  let local: TestApp;
  let deployed: TestApp;

  beforeAll(async () => {
    web = await fakeWebBuild();
    local = await buildTestApp({ overrides: { webDistDir: web.dir } });
    deployed = await buildTestApp({
      overrides: {
        webDistDir: web.dir,
        publicUrl: 'https://firstlight.example',
        security: security({ serveSourceMaps: true }),
      },
    });
  });
  afterAll(async () => {
    await local?.close();
    await deployed?.close();
    await web?.remove();
  });

  it('puts a strict CSP, frame denial, nosniff and a referrer policy on the SPA and on API JSON alike', async () => {
    for (const url of ['/', '/inbox', '/assets/app.js', '/api/me', '/api/nope']) {
      const response = await local.app.inject({ method: 'GET', url });
      expect(csp(response.headers['content-security-policy']), url).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'", 'ws://127.0.0.1:3000'],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      });
      expect(response.headers['x-frame-options'], url).toBe('DENY');
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('strict-origin-when-cross-origin');
      // http: no HSTS (and no upgrade of the page's own requests to an https port nobody listens on).
      expect(response.headers['strict-transport-security'], url).toBeUndefined();
    }
    expect((await local.app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
  });

  it('adds HSTS, upgrade-insecure-requests and the wss: origin when PUBLIC_URL is https', async () => {
    for (const url of ['/', '/api/me']) {
      const response = await deployed.app.inject({ method: 'GET', url });
      expect(response.headers['strict-transport-security'], url).toBe('max-age=31536000; includeSubDomains');
      const policy = csp(response.headers['content-security-policy']);
      expect(policy['connect-src'], url).toEqual(["'self'", 'wss://firstlight.example']);
      expect(policy['upgrade-insecure-requests'], url).toEqual([]);
    }
  });

  it("keeps the inbox's Link: rel=preload", async () => {
    const inbox = await local.app.inject({ method: 'GET', url: '/inbox' });
    expect(inbox.headers.link).toMatch(/^<\/api\/me>; rel=preload; as=fetch; crossorigin=anonymous, /);
  });

  it('does not serve source maps unless SERVE_SOURCE_MAPS asks', async () => {
    const refused = await local.app.inject({ method: 'GET', url: '/assets/app.js.map' });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toMatchObject({ error: { code: 'not_found' } });
    expect(refused.body).not.toContain('secret.ts');
    expect((await local.app.inject({ method: 'GET', url: '/assets/app.js' })).statusCode).toBe(200);
    const asked = await deployed.app.inject({ method: 'GET', url: '/assets/app.js.map' });
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('secret.ts');
  });
});

describe('cookies and proxies', () => {
  const apps: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });
  const build = async (...args: Parameters<typeof buildTestApp>) => {
    const test = await buildTestApp(...args);
    apps.push(test);
    return test;
  };
  const oauthCookie = (setCookie: string | string[] | undefined) =>
    [setCookie ?? []].flat().find((cookie) => cookie.startsWith('fl_oauth='))!;

  it('marks cookies Secure when PUBLIC_URL is https, without any X-Forwarded-Proto', async () => {
    const test = await build({ overrides: { publicUrl: 'https://firstlight.example' } });
    const start = await test.app.inject({ method: 'GET', url: '/auth/google' });
    expect(start.statusCode).toBe(302);
    expect(oauthCookie(start.headers['set-cookie'])).toMatch(/; Secure(;|$)/);
  });

  it("never lets a client's X-Forwarded-Proto make a cookie Secure over an http PUBLIC_URL", async () => {
    // Even trusting every hop: Secure follows PUBLIC_URL, not a header.
    const test = await build({ overrides: { security: security({ trustProxy: true }) } });
    const start = await test.app.inject({
      method: 'GET',
      url: '/auth/google',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(start.statusCode).toBe(302);
    expect(oauthCookie(start.headers['set-cookie'])).not.toMatch(/Secure/i);
  });

  it("ignores a client's X-Forwarded-For with TRUST_PROXY off: not in the logs, not a fresh rate-limit budget", async () => {
    const logged = await buildLoggedApp({
      security: security({ rateLimit: { signInPerMinute: 2, perMinute: 1_000_000 } }),
    });
    apps.push(logged);
    const statuses: number[] = [];
    for (const forwarded of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      const response = await logged.app.inject({
        method: 'GET',
        url: '/auth/google',
        remoteAddress: '192.0.2.10',
        headers: { 'x-forwarded-for': forwarded },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([302, 302, 429]);
    const requests = logged.lines.filter((line) => line.msg === 'incoming request');
    expect(requests).toHaveLength(3);
    for (const line of requests) expect(line.req).toMatchObject({ remoteAddress: '192.0.2.10' });
    expect(JSON.stringify(logged.lines)).not.toContain('198.51.100.');
  });

  it('honours X-Forwarded-For with a hop count: each client behind the proxy has its own budget', async () => {
    const logged = await buildLoggedApp({
      security: security({ trustProxy: 1, rateLimit: { signInPerMinute: 2, perMinute: 1_000_000 } }),
    });
    apps.push(logged);
    const statuses: number[] = [];
    for (const forwarded of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      const response = await logged.app.inject({
        method: 'GET',
        url: '/auth/google',
        remoteAddress: '192.0.2.10', // the load balancer
        headers: { 'x-forwarded-for': `203.0.113.66, ${forwarded}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([302, 302, 302]);
    const addresses = logged.lines
      .filter((line) => line.msg === 'incoming request')
      .map((line) => (line.req as { remoteAddress: string }).remoteAddress);
    // One hop trusted: the address the load balancer saw, not what the client claimed before it (203.0.113.66).
    expect(addresses).toEqual(['198.51.100.1', '198.51.100.2', '198.51.100.3']);
  });
});

describe('rate limits', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  const SIGN_IN_PER_MINUTE = 6;
  const PER_MINUTE = 4;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 3,
      latency: 'none',
      autoApprove: true,
      accounts: [
        { email: 'alice@example.com', mailboxSize: 60 },
        { email: 'bob@example.com', mailboxSize: 60 },
      ],
    });
    test = await buildTestApp({
      emulatorUrl: emulator.url,
      overrides: {
        security: security({ rateLimit: { signInPerMinute: SIGN_IN_PER_MINUTE, perMinute: PER_MINUTE } }),
      },
    });
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  const expectRateLimited = (response: Awaited<ReturnType<TestApp['app']['inject']>>) => {
    expect(response.statusCode).toBe(429);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/^too many requests: try again in /) },
    });
  };

  it('answers a burst on /auth/google with 429 and Retry-After', async () => {
    const burst = () => test.app.inject({ method: 'GET', url: '/auth/google', remoteAddress: '203.0.113.1' });
    for (let i = 0; i < SIGN_IN_PER_MINUTE; i++) expect((await burst()).statusCode).toBe(302);
    expectRateLimited(await burst());
    // Another address is not affected.
    const other = await test.app.inject({ method: 'GET', url: '/auth/google', remoteAddress: '203.0.113.9' });
    expect(other.statusCode).toBe(302);
  });

  it('answers a burst on the callback with 429 and Retry-After', async () => {
    const burst = () =>
      test.app.inject({
        method: 'GET',
        url: '/auth/google/callback?code=forged&state=forged',
        remoteAddress: '203.0.113.2',
      });
    for (let i = 0; i < SIGN_IN_PER_MINUTE; i++) expect((await burst()).statusCode).toBe(400);
    expectRateLimited(await burst());
  });

  it('gives each session its own API budget, and a forged cookie no fresh one', async () => {
    // Both sign in from the default address (2 requests each, within the sign-in budget).
    const alice = await signIn(test.app, 'alice@example.com');
    const bob = await signIn(test.app, 'bob@example.com');
    const me = (cookie?: string, remoteAddress = '127.0.0.1') =>
      test.app.inject({ method: 'GET', url: '/api/me', remoteAddress, headers: cookie ? { cookie } : {} });
    for (let i = 0; i < PER_MINUTE; i++) expect((await me(alice.cookie)).statusCode).toBe(200);
    expectRateLimited(await me(alice.cookie));
    // Bob, behind the same address (one NAT), is not slowed by Alice.
    expect((await me(bob.cookie)).statusCode).toBe(200);
    // Random session cookies count against the caller's address, not a budget of their own.
    const forged = () => `fl_session=${randomBytes(16).toString('base64url')}.forged`;
    for (let i = 0; i < PER_MINUTE; i++) expect((await me(forged(), '203.0.113.3')).statusCode).toBe(401);
    expectRateLimited(await me(forged(), '203.0.113.3'));
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < PER_MINUTE * 3; i++) {
      const health = await test.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '203.0.113.4' });
      expect(health.statusCode).not.toBe(429);
      const ready = await test.app.inject({ method: 'GET', url: '/readyz', remoteAddress: '203.0.113.4' });
      expect(ready.statusCode).not.toBe(429);
    }
  });
});
