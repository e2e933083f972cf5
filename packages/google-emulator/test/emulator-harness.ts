import { calendar, auth as calendarAuth } from '@googleapis/calendar';
import { gmail } from '@googleapis/gmail';
import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { DEFAULT_CLIENT, type EmulatorHandle, type EmulatorOptions, startEmulator } from '../src/index.ts';

export const REDIRECT_URI = 'http://127.0.0.1:9/callback';
export const SCOPES = [
  'openid',
  'email',
  'https://www.googleapis.com/auth/gmail.readonly',
  'https://www.googleapis.com/auth/calendar.events',
];

export function startTestEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
  return startEmulator({ port: 0, latency: 'none', seed: 3, anchor: Date.UTC(2026, 10, 1), ...options });
}

/** google-auth-library pointed at the emulator: only the endpoints differ from real Google. */
export function oauthClient(
  emulator: EmulatorHandle,
  secret = DEFAULT_CLIENT.clientSecret,
  issuers = [emulator.url],
): OAuth2Client {
  return new OAuth2Client({
    clientId: DEFAULT_CLIENT.clientId,
    clientSecret: secret,
    redirectUri: REDIRECT_URI,
    endpoints: {
      oauth2AuthBaseUrl: `${emulator.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${emulator.url}/token`,
      oauth2RevokeUrl: `${emulator.url}/revoke`,
      oauth2FederatedSignonPemCertsUrl: `${emulator.url}/oauth2/v1/certs`,
      oauth2FederatedSignonJwkCertsUrl: `${emulator.url}/oauth2/v3/certs`,
      tokenInfoUrl: `${emulator.url}/tokeninfo`,
    },
    issuers,
  });
}

/** The browser's part: follow the authorization URL (auto-approve) and read the code off the redirect. */
export async function authorize(
  _emulator: EmulatorHandle,
  client: OAuth2Client,
  extra: { loginHint?: string; prompt?: string; accessType?: 'online' | 'offline' } = {},
) {
  const { codeVerifier, codeChallenge } = await client.generateCodeVerifierAsync();
  const url = client.generateAuthUrl({
    access_type: extra.accessType ?? 'offline',
    scope: SCOPES,
    state: 'state-123',
    code_challenge: codeChallenge!,
    code_challenge_method: CodeChallengeMethod.S256,
    ...(extra.loginHint ? { login_hint: extra.loginHint } : {}),
    ...(extra.prompt ? { prompt: extra.prompt } : {}),
  });
  const response = await fetch(url, { redirect: 'manual' });
  if (response.status !== 302)
    throw new Error(`authorization answered ${response.status}: ${await response.text()}`);
  const location = new URL(response.headers.get('location')!);
  return {
    code: location.searchParams.get('code')!,
    state: location.searchParams.get('state'),
    codeVerifier,
    location,
  };
}

/** Signs in through the whole flow and returns a client holding the tokens. */
export async function signedInClient(emulator: EmulatorHandle, email: string): Promise<OAuth2Client> {
  const client = oauthClient(emulator);
  // prompt=consent: a refresh token every time, even for an account that consented before.
  const { code, codeVerifier } = await authorize(emulator, client, { loginHint: email, prompt: 'consent' });
  const { tokens } = await client.getToken({ code, codeVerifier });
  client.setCredentials(tokens);
  return client;
}

export async function gmailFor(emulator: EmulatorHandle, email: string) {
  const client = new calendarAuth.OAuth2();
  client.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
  return gmail({ version: 'v1', rootUrl: `${emulator.url}/`, auth: client, retry: false });
}

export async function calendarFor(emulator: EmulatorHandle, email: string) {
  const client = new calendarAuth.OAuth2();
  client.setCredentials({ access_token: await emulator.admin.issueAccessToken(email) });
  return calendar({ version: 'v3', rootUrl: `${emulator.url}/`, auth: client, retry: false });
}

export interface Failure {
  status?: number;
  reason?: string;
  // biome-ignore lint/suspicious/noExplicitAny: Google's error bodies vary by endpoint; tests read fields freely.
  body?: any;
  code?: string;
}

/** The status and Google error reason of a rejected client call. */
export async function failureOf(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    const e = error as {
      status?: number;
      code?: string;
      response?: { status: number; data: Failure['body'] };
    };
    const body = e.response?.data;
    return {
      status: e.response?.status ?? e.status,
      reason: body?.error?.errors?.[0]?.reason ?? body?.error,
      body,
      ...(e.code ? { code: String(e.code) } : {}),
    };
  }
  throw new Error('expected the call to fail');
}
