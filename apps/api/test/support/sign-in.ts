import type { FastifyInstance } from 'fastify';

export interface SignedIn {
  /** `Cookie` header value carrying the session. */
  cookie: string;
  /** Where the callback redirected. */
  location: string;
  /** performance.now() when the callback returned. */
  callbackReturnedAt: number;
}

/** Cookie header from Set-Cookie values (name=value pairs only). */
export function cookiesFrom(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list
    .map((entry) => entry.split(';')[0]!)
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

/**
 * The browser's part of the OAuth dance, against the real app (inject) and the emulator's authorization
 * endpoint (auto-approve, or the consent form's "Allow" with `login_hint` choosing the account).
 */
export async function startSignIn(
  app: FastifyInstance,
  email: string,
  /** `add_account`: a signed-in user (`cookie`) connects another account. */
  options: { intent?: 'add_account'; cookie?: string } = {},
) {
  const intent = options.intent ? `&intent=${options.intent}` : '';
  const start = await app.inject({
    method: 'GET',
    url: `/auth/google?login_hint=${encodeURIComponent(email)}${intent}`,
    ...(options.cookie ? { headers: { cookie: options.cookie } } : {}),
  });
  if (start.statusCode !== 302) throw new Error(`/auth/google answered ${start.statusCode}: ${start.body}`);
  const pendingCookie = cookiesFrom(start.headers['set-cookie']);
  const consent = await fetch(start.headers.location!, { redirect: 'manual' });
  if (consent.status !== 302)
    throw new Error(`the emulator's consent answered ${consent.status}: ${await consent.text()}`);
  const callback = new URL(consent.headers.get('location')!);
  return { pendingCookie, callbackPath: `${callback.pathname}${callback.search}`, callback };
}

export async function signIn(app: FastifyInstance, email: string): Promise<SignedIn> {
  const { pendingCookie, callbackPath } = await startSignIn(app, email);
  const response = await app.inject({ method: 'GET', url: callbackPath, headers: { cookie: pendingCookie } });
  const callbackReturnedAt = performance.now();
  if (response.statusCode !== 302)
    throw new Error(`callback answered ${response.statusCode}: ${response.body}`);
  return {
    cookie: cookiesFrom(response.headers['set-cookie']),
    location: response.headers.location!,
    callbackReturnedAt,
  };
}
