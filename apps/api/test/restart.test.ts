/**
 * A restart of `npm start` is invisible to users: the real entry point, run as a child process on one DATA_DIR,
 * signed in through the embedded emulator's consent page, stopped with SIGINT and started again, still knows
 * the session, still holds a working Google grant (new mail arrives through incremental sync from the saved
 * historyId, the calendar syncs), and asks nobody to sign in again. A grant revoked later marks the account,
 * never the finished job.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmailListResponse, MeResponse } from '@firstlight/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { cookiesFrom } from './support/sign-in.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const ADA = 'ada@example.com';

interface Product {
  url: string;
  googleUrl: string;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<number | null>;
}

const started: Product[] = [];

/** `npm start`'s entry point, as `startup.test.ts` runs it; resolves at its "ready at" line. */
function startProduct(env: Record<string, string>): Promise<Product> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const product: Product = {
    url: '',
    googleUrl: '',
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      return exited;
    },
  };
  started.push(product);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready at" line in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /Firstlight is ready at (http:\/\/[^/\s"]+)\//.exec(output);
      const google = /Google emulator at (http:\/\/[\d.:]+)/.exec(output);
      if (ready && google) {
        clearTimeout(timer);
        resolve({ ...product, url: ready[1]!, googleUrl: google[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ready:\n${output}`));
    });
  });
}

/** The browser's sign-in: our /auth/google, the emulator's consent page ("Allow" for ADA), our callback. */
async function signInThroughConsent(product: Product): Promise<string> {
  const start = await fetch(`${product.url}/auth/google?login_hint=${encodeURIComponent(ADA)}`, {
    redirect: 'manual',
  });
  expect(start.status).toBe(302);
  const pending = cookiesFrom(start.headers.getSetCookie());
  const page = await (await fetch(start.headers.get('location')!)).text();
  const requestId = /name="request_id" value="([^"]+)"/.exec(page)?.[1];
  const scopes = [...new Set([...page.matchAll(/name="scope" value="([^"]+)"/g)].map((m) => m[1]!))];
  expect(requestId).toBeTruthy();
  const form = new URLSearchParams({ request_id: requestId!, decision: 'allow', email: ADA });
  for (const scope of scopes) form.append('scope', scope);
  const approved = await fetch(`${product.googleUrl}/o/oauth2/v2/auth/approve`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(approved.status).toBe(302);
  const callback = new URL(approved.headers.get('location')!);
  const done = await fetch(`${product.url}${callback.pathname}${callback.search}`, {
    headers: { cookie: pending },
    redirect: 'manual',
  });
  expect(done.status).toBe(302);
  expect(done.headers.get('location')).toBe('/inbox');
  return cookiesFrom(done.headers.getSetCookie());
}

async function getJson<T>(url: string, cookie?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, cookie ? { headers: { cookie } } : {});
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls until `check` returns a value (conditions, not time); fails with what it last saw. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'firstlight-restart-'));
// The embedded PostgreSQL may run as another user (as root, it runs as "postgres"): it must enter the folder.
chmodSync(dataDir, 0o711);

afterAll(async () => {
  for (const product of started) await product.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restarting the product on the same DATA_DIR', () => {
  it('asks nobody to sign in again: same session, same Google grant, sync goes on', async () => {
    const env = {
      DATA_DIR: dataDir,
      PORT: '0',
      DEMO_ACCOUNTS: `${ADA}:300`,
      DEMO_LATENCY: 'none',
      GMAIL_SYNC_EVERY_MS: '1000',
      CALENDAR_SYNC_EVERY_MS: '1000',
      LOG_LEVEL: 'info',
    };
    const first = await startProduct(env);
    const cookie = await signInThroughConsent(first);
    await waitFor('the backfill to complete', async () => {
      const me = await getJson<MeResponse>(`${first.url}/api/me`, cookie);
      return me.body.ingestion?.status === 'complete' ? me : undefined;
    });
    // An orderly stop: 0, or 130 as async-exit-hook reports a SIGINT.
    expect([0, 130]).toContain(await first.stop());

    const second = await startProduct(env);
    const me = await getJson<MeResponse>(`${second.url}/api/me`, cookie);
    expect(me.status).toBe(200);
    expect(me.body.account.status).toBe('active');

    // New mail after the restart reaches the inbox: the product refreshed its token with the kept grant and
    // history.list from its saved historyId answered.
    const response = await fetch(`${second.googleUrl}/admin/gmail/${ADA}/deliver`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2 }),
    });
    const { delivered } = (await response.json()) as { delivered: { id: string }[] };
    await waitFor('the delivered mail in the inbox', async () => {
      const status = (await getJson<MeResponse>(`${second.url}/api/me`, cookie)).body.account.status;
      if (status !== 'active') throw new Error(`after the restart the account is ${status}`);
      const { body } = await getJson<EmailListResponse>(`${second.url}/api/emails?limit=10`, cookie);
      const ids = new Set(body.emails.map((email) => email.id));
      return delivered.every((message) => ids.has(message.id)) ? true : undefined;
    });
    // And a calendar sync ran against the restarted emulator with the same grant.
    await waitFor('a calendar sync after the restart', async () => {
      const { body } = await getJson<{ methods: Record<string, { calls: number }> }>(
        `${second.googleUrl}/admin/stats`,
      );
      return Object.entries(body.methods).some(([name, m]) => name.includes('events.list') && m.calls > 0)
        ? true
        : undefined;
    });

    const after = await getJson<MeResponse>(`${second.url}/api/me`, cookie);
    expect(after.body.account.status).toBe('active');
    expect(after.body.ingestion?.status).toBe('complete');
    expect(second.output()).not.toMatch(/refused the refresh token/);

    // When Google does refuse later (the user revoked access), the finished mailbox stays finished.
    const post = (path: string, body: unknown = {}) =>
      fetch(`${second.googleUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    await post(`/admin/accounts/${ADA}/revoke`);
    await post(`/admin/accounts/${ADA}/expire-access-tokens`);
    await post(`/admin/gmail/${ADA}/deliver`, { count: 1 });
    const revoked = await waitFor('the account to need a sign-in', async () => {
      const me = await getJson<MeResponse>(`${second.url}/api/me`, cookie);
      return me.body.account.status === 'needs_reauth' ? me.body : undefined;
    });
    expect(revoked.ingestion?.status).toBe('complete');
    expect([0, 130]).toContain(await second.stop());
  }, 120_000);
});
