import { EmailListResponse, MeResponse, ServerMessage } from '@firstlight/contracts';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { gmail } from '@googleapis/gmail';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { cookiesFrom, signIn, startSignIn } from './support/sign-in.ts';
import { buildTestApp, TEST_REDIRECT_URI, type TestApp } from './support/test-app.ts';

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';

describe('sign-in and the first page', () => {
  let emulator: EmulatorHandle;
  let test: TestApp;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 7,
      latency: 'none',
      autoApprove: true,
      accounts: [
        { email: ALICE, mailboxSize: 500 },
        { email: BOB, mailboxSize: 120 },
      ],
    });
    test = await buildTestApp({ emulatorUrl: emulator.url });
  });
  afterAll(async () => {
    await test?.close();
    await emulator?.close();
  });

  it('redirects to Google with state, PKCE S256, offline access and our scopes', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/auth/google' });
    expect(response.statusCode).toBe(302);
    const url = new URL(response.headers.location!);
    expect(url.origin + url.pathname).toBe(new URL('o/oauth2/v2/auth', emulator.url).toString());
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.get('redirect_uri')).toBe(TEST_REDIRECT_URI);
    expect(url.searchParams.get('scope')).toContain('https://www.googleapis.com/auth/gmail.readonly');
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(cookiesFrom(response.headers['set-cookie'])).toMatch(/^fl_oauth=/);
  });

  it('has the N newest messages stored, in order, when the callback returns', async () => {
    const session = await signIn(test.app, ALICE);
    expect(session.location).toBe('/inbox');
    expect(session.cookie).toMatch(/fl_session=/);

    const response = await test.app.inject({
      method: 'GET',
      url: '/api/emails?limit=200',
      headers: { cookie: session.cookie },
    });
    expect(response.statusCode).toBe(200);
    const page = EmailListResponse.parse(response.json());

    // The oracle: Gmail's own newest-first list, read through the real client.
    const oauth = new (await import('@googleapis/gmail')).auth.OAuth2();
    const token = await emulator.admin.issueAccessToken(ALICE);
    oauth.setCredentials({ access_token: token });
    const newest = await gmail({ version: 'v1', auth: oauth, rootUrl: emulator.url }).users.messages.list({
      userId: 'me',
      maxResults: 50,
    });
    expect(page.emails.map((email) => email.id)).toEqual(newest.data.messages!.map((message) => message.id));
    expect(page.emails[0]?.subject).toBeTruthy();

    const me = MeResponse.parse(
      (await test.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: session.cookie } })).json(),
    );
    expect(me.user.email).toBe(ALICE);
    expect(me.user.isOps).toBe(false);
    expect(me.account.status).toBe('active');
    expect(me.ingestion?.ingested).toBe(50);
    expect(me.ingestion?.total).toBe(500);
    expect(me.ingestion?.firstDataMs).toBeGreaterThanOrEqual(0);
  });

  it('stores the refresh token encrypted, never in clear', async () => {
    const rows = await test.database.db
      .selectFrom('accounts')
      .select(['email', 'refresh_token_enc'])
      .execute();
    const alice = rows.find((row) => row.email === ALICE);
    expect(alice?.refresh_token_enc).toBeInstanceOf(Buffer);
    const refreshTokens = await emulator.admin.refreshTokensOf(ALICE);
    for (const token of refreshTokens) {
      expect(alice!.refresh_token_enc!.toString('latin1')).not.toContain(token);
    }
  });

  it('sends a snapshot over the WebSocket that agrees with the stored rows', async () => {
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const session = await signIn(test.app, BOB);
    const address = test.app.server.address() as { port: number };
    const socket = new WebSocket(`ws://127.0.0.1:${address.port}/ws`, {
      headers: { cookie: session.cookie },
    });
    const first = await new Promise<ServerMessage>((resolve, reject) => {
      socket.once('message', (data) => resolve(ServerMessage.parse(JSON.parse(data.toString()))));
      socket.once('error', reject);
    });
    socket.close();
    expect(first.type).toBe('snapshot');
    if (first.type !== 'snapshot') return;
    expect(first.emailCount).toBe(50);
    expect(first.ingestion?.total).toBe(120);
    const page = EmailListResponse.parse(
      (
        await test.app.inject({
          method: 'GET',
          url: '/api/emails?limit=1',
          headers: { cookie: session.cookie },
        })
      ).json(),
    );
    expect(first.newestCursor).not.toBeNull();
    expect(page.emails).toHaveLength(1);
  });

  it("never lets one user read another's emails", async () => {
    const alice = await signIn(test.app, ALICE);
    const bob = await signIn(test.app, BOB);
    const read = async (cookie: string) =>
      EmailListResponse.parse(
        (await test.app.inject({ method: 'GET', url: '/api/emails?limit=200', headers: { cookie } })).json(),
      ).emails.map((email) => email.id);
    const aliceIds = new Set(await read(alice.cookie));
    const bobIds = await read(bob.cookie);
    expect(bobIds.length).toBe(50);
    expect(bobIds.some((id) => aliceIds.has(id))).toBe(false);
  });

  describe('bad input', () => {
    it('refuses a forged or missing state with 400 and writes nothing', async () => {
      const before = await test.database.db.selectFrom('sessions').select('id').execute();
      const { pendingCookie, callback } = await startSignIn(test.app, ALICE);
      callback.searchParams.set('state', 'forged-state-value');
      const forged = await test.app.inject({
        method: 'GET',
        url: `${callback.pathname}${callback.search}`,
        headers: { cookie: pendingCookie },
      });
      expect(forged.statusCode).toBe(400);
      expect(forged.json()).toMatchObject({ error: { code: 'invalid_state' } });

      const { callback: other } = await startSignIn(test.app, ALICE);
      const noCookie = await test.app.inject({ method: 'GET', url: `${other.pathname}${other.search}` });
      expect(noCookie.statusCode).toBe(400);
      const after = await test.database.db.selectFrom('sessions').select('id').execute();
      expect(after.length).toBe(before.length);
    });

    it('refuses a reused code with 400 invalid_grant', async () => {
      const { pendingCookie, callbackPath } = await startSignIn(test.app, ALICE);
      const first = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: pendingCookie },
      });
      expect(first.statusCode).toBe(302);
      const again = await test.app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: pendingCookie },
      });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ error: { code: 'invalid_grant' } });
    });

    it('sends a cancelled consent back to the sign-in page', async () => {
      const response = await test.app.inject({
        method: 'GET',
        url: '/auth/google/callback?error=access_denied&state=x',
      });
      expect(response.statusCode).toBe(302);
      expect(response.headers.location).toBe('/?signin_error=access_denied');
    });

    it('answers 401 without a session, on REST and on the WebSocket', async () => {
      expect((await test.app.inject({ method: 'GET', url: '/api/emails' })).statusCode).toBe(401);
      expect((await test.app.inject({ method: 'GET', url: '/api/me' })).statusCode).toBe(401);
      const forged = await test.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: 'fl_session=abc.def' },
      });
      expect(forged.statusCode).toBe(401);
      const address = test.app.server.address() as { port: number };
      const status = await new Promise<number>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${address.port}/ws`);
        socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        socket.once('open', () => resolve(101));
      });
      expect(status).toBe(401);
    });

    it('answers 400 to oversized or malformed query parameters', async () => {
      const session = await signIn(test.app, ALICE);
      for (const query of ['limit=201', 'limit=0', 'limit=abc', 'cursor=%%%', `cursor=${'a'.repeat(300)}`]) {
        const response = await test.app.inject({
          method: 'GET',
          url: `/api/emails?${query}`,
          headers: { cookie: session.cookie },
        });
        expect(response.statusCode, query).toBe(400);
      }
    });

    it('ends the session on logout', async () => {
      const session = await signIn(test.app, ALICE);
      const out = await test.app.inject({
        method: 'POST',
        url: '/auth/logout',
        headers: { cookie: session.cookie },
      });
      expect(out.statusCode).toBe(204);
      const after = await test.app.inject({
        method: 'GET',
        url: '/api/me',
        headers: { cookie: session.cookie },
      });
      expect(after.statusCode).toBe(401);
    });
  });
});
