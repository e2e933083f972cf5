import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type CloudTasksEmulator, startCloudTasksEmulator } from '@firstlight/cloud-tasks-emulator';
import { EditResponse } from '@firstlight/contracts';
import { freePort } from '@firstlight/db';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { CloudTasksQueue } from '../../src/tasks/cloud-tasks-queue.ts';
import { waitFor } from '../support/backfill-harness.ts';
import { timedOccurrenceBetween } from '../support/calendar-rows.ts';
import { cookiesFrom, startSignIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

/**
 * Issue 14, deliverable 6: the app's real pino output (the logger `buildApp` configures, into a stream the
 * test reads), at info and at debug, after a sign-in, a Google call that fails with a body, bad `/tasks` calls
 * and an unverified sign-in — and no OAuth code or state, token, cookie, event title or e-mail subject in it.
 */

const USER = 'logs@example.com';
const UNVERIFIED = 'unverified@example.com';
const SERVICE_ACCOUNT = 'firstlight-tasks@dev.iam.gserviceaccount.com';
const QUEUES = ['ingest-high', 'ingest-low', 'writeback'].map(
  (q) => `projects/dev/locations/here/queues/${q}`,
);

/** A JWT signed by `key` under `kid`: the test's forged task tokens. */
function signJwt(key: ReturnType<typeof generateKeyPairSync>['privateKey'], kid: string, claims: object) {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const body = `${part({ alg: 'RS256', typ: 'JWT', kid })}.${part(claims)}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(key).toString('base64url')}`;
}

describe.each(['info', 'debug'] as const)(
  'security: logs at %s carry no secrets or personal content',
  (level) => {
    let google: EmulatorHandle;
    let cloudTasks: CloudTasksEmulator;
    let certs: Server;
    let test: TestApp;
    let appUrl: string;
    let session = '';
    const lines: string[] = [];
    const secrets = new Map<string, string>(); // what must never appear → what it is
    const log = () => lines.join('');
    // A key of our own, published beside the emulator's: a forged token that passes the signature check
    // reaches the claim checks, whose messages quote the claims and the accepted issuers.
    const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forgerKid = randomBytes(8).toString('hex');

    beforeAll(async () => {
      google = await startEmulator({
        port: 0,
        latency: 'none',
        autoApprove: true,
        accounts: [
          { email: USER, mailboxSize: 30 },
          { email: UNVERIFIED, mailboxSize: 5, emailVerified: false },
        ],
      });
      cloudTasks = await startCloudTasksEmulator({
        port: 0,
        httpPort: 0,
        queues: QUEUES,
        defaults: { retryConfig: { minBackoffSeconds: 0.1, maxBackoffSeconds: 1 } },
      });
      certs = createServer((_request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            ...cloudTasks.admin.oidcPemCerts(),
            [forgerKid]: forger.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          }),
        );
      });
      await new Promise<void>((resolve) => certs.listen(0, '127.0.0.1', resolve));
      const certsPort = (certs.address() as { port: number }).port;
      const port = await freePort();
      appUrl = `http://127.0.0.1:${port}`;
      const base = loadConfig({
        TASK_QUEUE: 'cloud-tasks',
        CLOUD_TASKS_EMULATOR_HOST: `127.0.0.1:${cloudTasks.port}`,
        TASKS_TARGET_URL: appUrl,
        TASKS_SERVICE_ACCOUNT: SERVICE_ACCOUNT,
        TASKS_OIDC_CERTS_URL: `http://127.0.0.1:${certsPort}/oauth2/v1/certs`,
        CALENDAR_WRITEBACK_ATTEMPTS: '1',
      });
      test = await buildTestApp({
        emulatorUrl: google.url,
        overrides: { tasks: base.tasks, backfill: base.backfill },
        queue: new CloudTasksQueue(base.tasks as Extract<typeof base.tasks, { mode: 'cloud-tasks' }>),
        logger: { level, stream: { write: (line: string) => void lines.push(line) } },
      });
      await test.app.listen({ port, host: '127.0.0.1' });
    }, 60_000);
    afterAll(async () => {
      await test?.close();
      await new Promise((resolve) => certs?.close(resolve));
      await cloudTasks?.close();
      await google?.close();
    });

    it('signs in: the callback URL is logged with its code and state masked; no cookie or token is', async () => {
      const { pendingCookie, callback, callbackPath } = await startSignIn(test.app, USER);
      const response = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: pendingCookie },
      });
      expect(response.statusCode, response.body).toBe(302);
      session = cookiesFrom(response.headers['set-cookie']);
      secrets.set(callback.searchParams.get('code')!, 'the OAuth code');
      secrets.set(callback.searchParams.get('state')!, 'the OAuth state');
      secrets.set(session.split('=').slice(1).join('='), 'the session cookie');
      secrets.set(pendingCookie.split('=').slice(1).join('='), 'the sign-in cookie');
      for (const token of await google.admin.refreshTokensOf(USER)) secrets.set(token, 'a refresh token');

      // The request log is there (this test would pass on an empty log otherwise), with the values masked.
      const callbackLine = lines.find((line) => line.includes('/auth/google/callback?'));
      expect(callbackLine).toContain('code=[redacted]');
      expect(callbackLine).toContain('state=[redacted]');
      expect(log()).toContain('/auth/google?login_hint=[redacted]');

      // The first page and the calendar are in: their subjects and titles are the content to look for.
      await waitFor(
        async () => {
          const events = await test.database.db.selectFrom('calendar_events').select('id').execute();
          return events.length > 0 ? true : undefined;
        },
        30_000,
        'the calendar sync',
      );
      const subjects = await test.database.db.selectFrom('emails').select('subject').execute();
      expect(subjects.length).toBeGreaterThan(0);
      for (const { subject } of subjects)
        if (subject && subject.length >= 8) secrets.set(subject, 'a subject');
    }, 60_000);

    it('logs a Google failure as a summary: status and method, no request body, no bearer token', async () => {
      const db = test.database.db;
      const { row, occurrence: target } = await timedOccurrenceBetween(
        db,
        new Date(),
        new Date(Date.now() + 400 * 86_400_000),
      );
      const title = `Private title ${randomBytes(6).toString('hex')}`;
      secrets.set(title, 'an event title the user wrote');
      for (const event of await db.selectFrom('calendar_events').select('summary').execute()) {
        if (event.summary && event.summary.length >= 8) secrets.set(event.summary, 'an event title');
      }

      // Google answers every call of this user 503 (with Google's error body): the write-back fails for good.
      google.admin.setFaults({ accounts: { [USER]: { errorRate: 1, errorStatuses: [503] } } });
      try {
        const response = await test.app.inject({
          method: 'PATCH',
          url: `/api/calendar/series/${row.id}/occurrences/${target.originalStart}`,
          headers: { cookie: session, 'content-type': 'application/json' },
          payload: JSON.stringify({ summary: title }),
        });
        expect(response.statusCode, response.body).toBe(200);
        const { writeback } = EditResponse.parse(response.json());
        await waitFor(
          async () => {
            const outbox = await db
              .selectFrom('writeback_outbox')
              .select('status')
              .where('id', '=', writeback.id)
              .executeTakeFirst();
            return outbox?.status === 'failed' ? true : undefined;
          },
          20_000,
          'the failed write-back',
        );
      } finally {
        google.admin.clearFaults();
      }
      const failure = lines
        .map((line) => JSON.parse(line) as { msg?: string; err?: Record<string, unknown> })
        .find((entry) => entry.msg === 'calendar write-back failed for good');
      expect(failure?.err).toMatchObject({ status: 503, method: 'PATCH' });
      expect(String(failure?.err?.url)).toMatch(/\/calendar\/v3\/calendars\/.+\/events\/[^?]+$/);
      expect(failure?.err).not.toHaveProperty('config');
      expect(failure?.err).not.toHaveProperty('response');
      expect(log()).not.toMatch(/bearer\s+[\w.-]{8,}/i);
    }, 60_000);

    it('answers bad /tasks calls 401 before reading the body, saying only that the token is invalid', async () => {
      const claims = {
        iss: 'https://evil.example',
        aud: 'https://evil.example/aud',
        email: SERVICE_ACCOUNT,
        iat: Math.floor(Date.now() / 1000),
        exp: Math.floor(Date.now() / 1000) + 600,
      };
      const wrongIssuer = signJwt(forger.privateKey, forgerKid, claims);
      const badSignature = signJwt(
        generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        forgerKid,
        claims,
      );
      secrets.set(wrongIssuer, 'a forged task token');
      secrets.set(badSignature, 'a forged task token');
      secrets.set(wrongIssuer.split('.')[1]!, "a forged token's claims");
      const attempts: [string, Record<string, string>, string][] = [
        ['no token, a non-JSON body', { 'content-type': 'text/plain' }, 'not json {'],
        ['no token, a JSON body', { 'content-type': 'application/json' }, '{"jobId":1}'],
        ['a wrong issuer', { authorization: `Bearer ${wrongIssuer}` }, 'not json {'],
        ['a bad signature', { authorization: `Bearer ${badSignature}` }, '{}'],
        ['not a JWT', { authorization: 'Bearer not-a-jwt-at-all' }, '{}'],
      ];
      for (const [what, headers, body] of attempts) {
        const response = await fetch(`${appUrl}/tasks/gmail-batch`, { method: 'POST', headers, body });
        expect(response.status, what).toBe(401);
        const text = await response.text();
        expect(JSON.parse(text), what).toEqual({
          error: { code: 'unauthorized', message: 'invalid task token' },
        });
      }
      // The detail is kept for whoever runs the service, at debug only, without the token itself.
      const refused = lines.filter((line) => line.includes('task token refused'));
      if (level === 'debug') {
        expect(refused.some((line) => line.includes('evil.example'))).toBe(true);
      } else {
        expect(refused).toEqual([]);
      }
    });

    it('refuses a sign-in whose address Google has not verified, and stores nothing', async () => {
      const { pendingCookie, callback, callbackPath } = await startSignIn(test.app, UNVERIFIED);
      secrets.set(callback.searchParams.get('code')!, 'an OAuth code');
      const response = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: pendingCookie },
      });
      expect(response.statusCode, response.body).toBe(302);
      expect(response.headers.location).toBe('/?signin_error=email_unverified');
      expect(cookiesFrom(response.headers['set-cookie'])).not.toMatch(/fl_session=/);
      const users = await test.database.db
        .selectFrom('users')
        .select('email')
        .where('email', '=', UNVERIFIED)
        .execute();
      expect(users).toEqual([]);
    });

    it('leaves none of the secrets or contents above in the log', () => {
      const text = log();
      expect(lines.length).toBeGreaterThan(10);
      expect(secrets.size).toBeGreaterThan(5);
      const found = [...secrets]
        .filter(([value]) => value.length >= 6 && text.includes(value))
        .map(([, what]) => what);
      expect(found).toEqual([]);
      expect(text).not.toMatch(/[?&](code|state)=(?!\[redacted\])/);
    });
  },
);
