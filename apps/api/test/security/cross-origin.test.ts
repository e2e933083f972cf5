import { ServerMessage } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { expand } from '@firstlight/recurrence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { toSeries } from '../../src/calendar/event-dto.ts';
import { crossOriginRefusal } from '../../src/security/origin-guard.ts';
import { waitFor } from '../support/backfill-harness.ts';
import { timedSeries } from '../support/calendar-rows.ts';
import { signIn } from '../support/sign-in.ts';
import { buildTestApp, type TestApp } from '../support/test-app.ts';

const USER = 'victim@example.com';
const ANCHOR = Date.UTC(2026, 2, 1);
/** buildTestApp's PUBLIC_URL (the default for HOST and PORT). */
const OURS = 'http://127.0.0.1:3000';
const EVIL = 'https://evil.example';

describe('cross-origin requests with a victim’s cookie', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;
  let cookie: string;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 21,
      latency: 'none',
      autoApprove: true,
      anchor: ANCHOR,
      accounts: [{ email: USER, mailboxSize: 60 }],
    });
    test = await buildTestApp({ emulatorUrl: emulator.url, embeddedQueue: true });
    cookie = (await signIn(test.app, USER)).cookie;
    await waitFor(
      async () => {
        const row = await test.database.db
          .selectFrom('calendar_events')
          .select('id')
          .where('kind', '=', 'series')
          .executeTakeFirst();
        return row;
      },
      30_000,
      'the calendar sync',
    );
  }, 60_000);
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  /** A series and its next occurrence: what a cancel names. */
  async function nextOccurrence() {
    const row = await timedSeries(test.database.db);
    const next = expand(toSeries(row), new Date(ANCHOR), new Date(ANCHOR + 400 * 86_400_000))[0]!;
    return { row, url: `/api/calendar/series/${row.id}/occurrences/${next.originalStart}/cancel` };
  }
  const writebacks = async () =>
    (await test.database.db.selectFrom('writeback_outbox').select('id').execute()).length;

  it('refuses a foreign-Origin text/plain POST with 403, and writes nothing', async () => {
    const { row, url } = await nextOccurrence();
    const forged = await test.app.inject({
      method: 'POST',
      url,
      headers: { cookie, origin: EVIL, 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toEqual({
      error: {
        code: 'cross_origin_refused',
        message: `cross-origin request refused: Origin ${EVIL} is not ${OURS}`,
      },
    });
    const after = await test.database.db
      .selectFrom('calendar_events')
      .select(['updated_at', 'exceptions'])
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ updated_at: row.updated_at, exceptions: row.exceptions });
    expect(await writebacks()).toBe(0);
  });

  it.each([
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { 'sec-fetch-site': 'same-site' }],
    ['Origin: null', { origin: 'null' }],
    ['another port on the host', { origin: 'http://127.0.0.1:3001' }],
    ['a foreign Origin that claims same-origin', { origin: EVIL, 'sec-fetch-site': 'same-origin' }],
  ])('refuses %s', async (_what, headers) => {
    const { url } = await nextOccurrence();
    const response = await test.app.inject({ method: 'POST', url, headers: { cookie, ...headers } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ error: { code: 'cross_origin_refused' } });
    expect(await writebacks()).toBe(0);
  });

  it('lets the page itself do it (our Origin, same-origin fetch)', async () => {
    const { url } = await nextOccurrence();
    const response = await test.app.inject({
      method: 'POST',
      url,
      headers: { cookie, origin: OURS, 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' },
      payload: 'x',
    });
    expect(response.statusCode).toBe(200);
    expect(await writebacks()).toBe(1);
  });

  it('refuses a foreign-Origin logout, and the session lives on', async () => {
    const forged = await test.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, origin: EVIL },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json()).toMatchObject({ error: { code: 'cross_origin_refused' } });
    const me = await test.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.statusCode).toBe(200);
  });

  describe('the WebSocket upgrade', () => {
    let port: number;
    beforeAll(async () => {
      await test.app.listen({ port: 0, host: '127.0.0.1' });
      port = (test.app.server.address() as { port: number }).port;
    });

    /**
     * The handshake's status (101 once open) and, when open, the first message. A refusal resolves only once the
     * server has closed the connection: a refused handshake must not leave its socket open (nor hang app.close()).
     */
    const connect = (origin: string) =>
      new Promise<{ status: number; first?: ServerMessage }>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie }, origin });
        socket.once('unexpected-response', (request, response) => {
          request.socket!.once('close', () => resolve({ status: response.statusCode ?? 0 }));
          response.resume();
        });
        socket.once('message', (data) => {
          resolve({ status: 101, first: ServerMessage.parse(JSON.parse(data.toString())) });
          socket.close();
        });
        socket.once('error', reject);
      });

    it.each([[EVIL], ['null']])('refuses Origin %s before the upgrade, with 403', async (origin) => {
      expect(await connect(origin)).toEqual({ status: 403 });
    });

    it('opens for our own origin, and sends the snapshot first', async () => {
      const { status, first } = await connect(OURS);
      expect(status).toBe(101);
      expect(first?.type).toBe('snapshot');
    });
  });

  it('logs out for our own origin', async () => {
    const logout = await test.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { cookie, origin: OURS },
    });
    expect(logout.statusCode).toBe(204);
    expect((await test.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } })).statusCode).toBe(
      401,
    );
  });
});

describe('the cross-origin rule (Go 1.25 CrossOriginProtection, stricter on Origin)', () => {
  const at = (method: string, headers: Record<string, string>, routeUrl = '/api/x') =>
    crossOriginRefusal({ method, headers, routeUrl }, OURS);

  it.each<[string, Record<string, string>, string]>([
    ['POST', {}, 'passes: neither header, not a browser'],
    ['POST', { 'sec-fetch-site': 'same-origin' }, 'passes'],
    ['POST', { 'sec-fetch-site': 'none' }, 'passes: the user typed it'],
    ['POST', { origin: OURS }, 'passes'],
    ['GET', { origin: EVIL, 'sec-fetch-site': 'cross-site' }, 'passes: a safe method'],
  ])('%s %j %s', (method, headers, _why) => {
    expect(at(method, headers)).toBeUndefined();
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('guards %s', (method) => {
    expect(at(method, { origin: EVIL })).toMatch(/Origin https:\/\/evil.example is not/);
    expect(at(method, { 'sec-fetch-site': 'cross-site' })).toBe('Sec-Fetch-Site is cross-site');
    expect(at(method, { origin: OURS, 'sec-fetch-site': 'same-site' })).toBe('Sec-Fetch-Site is same-site');
  });

  it('guards the WebSocket handshake, a GET', () => {
    expect(at('GET', { origin: EVIL }, '/ws')).toBeDefined();
    expect(
      crossOriginRefusal(
        { method: 'GET', headers: { origin: EVIL, upgrade: 'websocket' }, routeUrl: undefined },
        OURS,
      ),
    ).toBeDefined();
  });

  it('leaves /tasks/* to its OIDC check (Cloud Tasks is no browser)', () => {
    expect(at('POST', { origin: EVIL }, '/tasks/ingest')).toBeUndefined();
  });
});
