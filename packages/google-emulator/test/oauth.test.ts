import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../src/index.ts';
import {
  authorize,
  failureOf,
  oauthClient,
  REDIRECT_URI,
  SCOPES,
  signedInClient,
  startTestEmulator,
} from './emulator-harness.ts';

const ADA = 'ada@example.com';
const BEN = 'ben@example.com';

describe('OAuth 2.0 through google-auth-library', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startTestEmulator({
      autoApprove: true,
      accounts: [
        { email: ADA, mailboxSize: 10 },
        { email: BEN, mailboxSize: 10 },
      ],
    });
  });
  afterAll(() => emulator?.close());

  it('runs code + PKCE (S256): state comes back, tokens and a verifiable id_token are issued', async () => {
    const client = oauthClient(emulator);
    const { code, state, codeVerifier, location } = await authorize(emulator, client, { loginHint: BEN });
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    expect(state).toBe('state-123');
    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens.scope?.split(' ')).toEqual(
      expect.arrayContaining(SCOPES.filter((s) => s.startsWith('https'))),
    );
    expect(tokens.expiry_date).toBeGreaterThan(Date.now());

    const ticket = await client.verifyIdToken({ idToken: tokens.id_token!, audience: client._clientId! });
    const claims = ticket.getPayload()!;
    expect(claims.email).toBe(BEN);
    expect(claims.sub).toMatch(/^\d{21}$/);
    expect(claims.iss).toBe(emulator.url);

    client.setCredentials(tokens);
    const userinfo = await client.request<{ sub: string; email: string }>({
      url: `${emulator.url}/v1/userinfo`,
    });
    expect(userinfo.data).toMatchObject({ sub: claims.sub, email: BEN });
  });

  it('says email_verified: true by default and false for an account minted unverified', async () => {
    await emulator.admin.addAccount('unverified@example.com', 1, undefined, { emailVerified: false });
    for (const [email, verified] of [
      [ADA, true],
      ['unverified@example.com', false],
    ] as const) {
      const client = oauthClient(emulator);
      const { code, codeVerifier } = await authorize(emulator, client, { loginHint: email });
      const { tokens } = await client.getToken({ code, codeVerifier });
      const ticket = await client.verifyIdToken({ idToken: tokens.id_token!, audience: client._clientId! });
      expect(ticket.getPayload()?.email_verified, email).toBe(verified);
      client.setCredentials(tokens);
      const userinfo = await client.request<{ email_verified: boolean }>({
        url: `${emulator.url}/v1/userinfo`,
      });
      expect(userinfo.data.email_verified, email).toBe(verified);
    }
  });

  it('gives different accounts different subjects', async () => {
    const ada = await signedInClient(emulator, ADA);
    const ben = await signedInClient(emulator, BEN);
    const subOf = async (client: typeof ada) =>
      (await client.request<{ sub: string }>({ url: `${emulator.url}/oauth2/v3/userinfo` })).data.sub;
    expect(await subOf(ada)).not.toBe(await subOf(ben));
  });

  it('refuses a wrong PKCE verifier, a reused code and a wrong client secret, as Google does', async () => {
    const client = oauthClient(emulator);
    const first = await authorize(emulator, client, { loginHint: ADA });
    const wrongVerifier = await failureOf(
      client.getToken({ code: first.code, codeVerifier: 'x'.repeat(43) }),
    );
    expect(wrongVerifier).toMatchObject({ status: 400, reason: 'invalid_grant' });

    const second = await authorize(emulator, client, { loginHint: ADA });
    await client.getToken({ code: second.code, codeVerifier: second.codeVerifier });
    const reused = await failureOf(client.getToken({ code: second.code, codeVerifier: second.codeVerifier }));
    expect(reused).toMatchObject({ status: 400, reason: 'invalid_grant' });

    const impostor = oauthClient(emulator, 'not-the-secret');
    const third = await authorize(emulator, impostor, { loginHint: ADA });
    const badClient = await failureOf(
      impostor.getToken({ code: third.code, codeVerifier: third.codeVerifier }),
    );
    expect(badClient).toMatchObject({ status: 401, reason: 'invalid_client' });
  });

  it('issues a refresh token on first consent only, and again with prompt=consent', async () => {
    const fresh = await startTestEmulator({ autoApprove: true, accounts: [{ email: ADA, mailboxSize: 1 }] });
    try {
      const client = oauthClient(fresh);
      const once = await authorize(fresh, client);
      expect((await client.getToken(once)).tokens.refresh_token).toBeTruthy();
      const twice = await authorize(fresh, client);
      expect((await client.getToken(twice)).tokens.refresh_token).toBeFalsy();
      const consent = await authorize(fresh, client, { prompt: 'consent' });
      const renewed = (await client.getToken(consent)).tokens.refresh_token;
      expect(renewed).toBeTruthy();
      const online = await authorize(fresh, client, { accessType: 'online' });
      expect((await client.getToken(online)).tokens.refresh_token).toBeFalsy();
    } finally {
      await fresh.close();
    }
  });

  it('refreshes an expired access token, and answers invalid_grant once the refresh token is revoked', async () => {
    const client = await signedInClient(emulator, ADA);
    const refreshToken = client.credentials.refresh_token!;
    const refreshed = await client.refreshAccessToken();
    expect(refreshed.credentials.access_token).not.toBe(undefined);
    expect(refreshed.credentials.refresh_token).toBe(refreshToken);

    await client.revokeToken(refreshToken);
    const revoked = await failureOf(client.refreshAccessToken());
    expect(revoked).toMatchObject({ status: 400, reason: 'invalid_grant' });
    expect(revoked.body.error_description).toBe('Token has been expired or revoked.');
  });

  it('revokes every grant of an account through the admin knob', async () => {
    const client = await signedInClient(emulator, BEN);
    await emulator.admin.revokeAccount(BEN);
    expect(await failureOf(client.refreshAccessToken())).toMatchObject({
      status: 400,
      reason: 'invalid_grant',
    });
  });

  it('expires access tokens after their lifetime', async () => {
    const shortLived = await startTestEmulator({
      autoApprove: true,
      accessTokenTtlSeconds: 1,
      accounts: [{ email: ADA, mailboxSize: 1 }],
    });
    try {
      const client = await signedInClient(shortLived, ADA);
      expect(client.credentials.expiry_date! - Date.now()).toBeLessThanOrEqual(1000);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const info = await failureOf(client.getTokenInfo(client.credentials.access_token!));
      expect(info.status).toBe(400);
    } finally {
      await shortLived.close();
    }
  });
});

describe('the consent page', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startTestEmulator({
      accounts: [
        { email: ADA, mailboxSize: 1 },
        { email: BEN, mailboxSize: 1 },
      ],
    });
  });
  afterAll(() => emulator?.close());

  async function consentForm(loginHint?: string) {
    const client = oauthClient(emulator);
    const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
    const url = client.generateAuthUrl({
      access_type: 'offline',
      scope: SCOPES,
      state: 'abc',
      code_challenge: codeChallenge!,
      code_challenge_method: 'S256' as never,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    const page = await fetch(url);
    const html = await page.text();
    const requestId = /name="request_id" value="([^"]+)"/.exec(html)?.[1];
    return { client, codeVerifier, html, requestId: requestId!, status: page.status };
  }

  const submit = (form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
    return fetch(`${emulator.url}/o/oauth2/v2/auth/approve`, { method: 'POST', body, redirect: 'manual' });
  };

  it('shows accounts, scopes and an Allow button, with login_hint preselected', async () => {
    const { html, status } = await consentForm(BEN);
    expect(status).toBe(200);
    expect(html).toContain('>Allow</button>');
    expect(html).toMatch(new RegExp(`value="${BEN}" checked`));
    expect(html).toContain('View your email messages and settings');
  });

  it('grants only the scopes left ticked', async () => {
    const { client, codeVerifier, requestId } = await consentForm(ADA);
    const response = await submit({
      request_id: requestId,
      decision: 'allow',
      email: ADA,
      scope: ['openid', SCOPES[1]!],
    });
    expect(response.status).toBe(302);
    const code = new URL(response.headers.get('location')!).searchParams.get('code')!;
    const { tokens } = await client.getToken({ code, codeVerifier });
    expect(tokens.scope).not.toContain('gmail.readonly');
  });

  it('sends access_denied with the state back when the user cancels', async () => {
    const { requestId } = await consentForm();
    const response = await submit({ request_id: requestId, decision: 'deny' });
    const location = new URL(response.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('abc');
    const again = await submit({ request_id: requestId, decision: 'allow', email: ADA });
    expect(again.status).toBe(400);
  });

  it('shows an error page, not a redirect, for an unknown client', async () => {
    const response = await fetch(
      `${emulator.url}/o/oauth2/v2/auth?client_id=nobody&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&response_type=code&scope=openid`,
      { redirect: 'manual' },
    );
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('invalid_client');
  });
});
