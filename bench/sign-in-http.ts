/** A browser's sign-in over plain HTTP (auto-approving emulator): returns the callback's round-trip time. */
export async function signInOverHttp(
  baseUrl: string,
  email: string,
): Promise<{ cookie: string; callbackMs: number }> {
  const start = await fetch(`${baseUrl}/auth/google?login_hint=${encodeURIComponent(email)}`, {
    redirect: 'manual',
  });
  const pending = cookieHeader(start.headers.getSetCookie());
  const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
  const callbackUrl = consent.headers.get('location')!;
  const began = performance.now();
  const callback = await fetch(callbackUrl, { redirect: 'manual', headers: { cookie: pending } });
  const callbackMs = performance.now() - began;
  if (callback.status !== 302)
    throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  return { cookie: cookieHeader(callback.headers.getSetCookie()), callbackMs };
}

function cookieHeader(setCookies: string[]): string {
  return setCookies.map((entry) => entry.split(';')[0]).join('; ');
}
