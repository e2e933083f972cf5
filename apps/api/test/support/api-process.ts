import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cookiesFrom } from './sign-in.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The real entry point as a child process, the way `npm start` runs it (`node --import tsx main.ts`), with its
 * log lines collected: for tests of what the process does as a whole (outages, signals).
 */
export interface ApiProcess {
  child: ChildProcess;
  /** Every line it wrote, stdout and stderr. */
  lines: string[];
  /** http://127.0.0.1:PORT, once ready. */
  baseUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True while the process runs. */
  alive(): boolean;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchedApi extends Omit<ApiProcess, 'baseUrl'> {
  /** Resolves with the base URL once the API logged that it is ready; rejects if it exits first. */
  ready: Promise<string>;
  /** Resolves with the first line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp): Promise<string>;
}

/** Starts the entry point and returns at once (for tests of what it does before it is ready). */
export function launchApi(env: Record<string, string | undefined>): LaunchedApi {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env };
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: repoRoot,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts.filter((line) => line.trim() !== ''));
      for (const wake of waiters) wake();
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitState = { code, signal };
      for (const wake of waiters) wake();
      resolve(exitState);
    });
  });

  const waitForLine = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = lines.find((entry) => pattern.test(entry));
        if (line) {
          waiters.delete(check);
          resolve(line);
        } else if (exitState) {
          waiters.delete(check);
          reject(
            new Error(
              `the API exited (${JSON.stringify(exitState)}) before ${pattern}:\n${lines.join('\n')}`,
            ),
          );
        }
      };
      waiters.add(check);
      check();
    });
  const ready = waitForLine(/Firstlight is ready at http:\/\/[^/]+:\d+\//).then((line) => {
    const port = line.match(/ready at http:\/\/[^/]+:(\d+)\//)![1];
    return `http://127.0.0.1:${port}`;
  });
  ready.catch(() => {}); // the caller awaits it or not; an early exit must not be an unhandled rejection

  return {
    child,
    lines,
    ready,
    waitForLine,
    exited,
    alive: () => exitState === undefined,
    async stop(graceMs = 20_000) {
      if (exitState) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Starts the entry point and waits until it is ready. */
export async function startApiProcess(env: Record<string, string | undefined>): Promise<ApiProcess> {
  const launched = launchApi(env);
  try {
    return { ...launched, baseUrl: await launched.ready };
  } catch (error) {
    await launched.stop();
    throw error;
  }
}

/** The embedded PostgreSQL's postmaster pid and port, from `postmaster.pid` in its data directory. */
export async function postmasterOf(pgDataDir: string): Promise<{ pid: number; port: number }> {
  const lines = (await readFile(join(pgDataDir, 'postmaster.pid'), 'utf8')).split('\n');
  return { pid: Number(lines[0]), port: Number(lines[3]) };
}

/**
 * Signs in over HTTP as a browser would: the API's `/auth/google` → the emulator's consent page → "Allow" for
 * `email` with every scope ticked → the API's callback. Returns the session cookie.
 */
export async function signInOverHttp(baseUrl: string, email: string): Promise<string> {
  const start = await fetch(`${baseUrl}/auth/google?login_hint=${encodeURIComponent(email)}`, {
    redirect: 'manual',
  });
  if (start.status !== 302) throw new Error(`/auth/google answered ${start.status}`);
  const pendingCookie = cookiesFrom(start.headers.getSetCookie());
  const authorize = new URL(start.headers.get('location')!);
  const page = await fetch(authorize, { redirect: 'manual' });
  let callback: URL;
  if (page.status === 302) {
    callback = new URL(page.headers.get('location')!); // an auto-approving emulator
  } else {
    const html = await page.text();
    const requestId = html.match(/name="request_id" value="([^"]+)"/)?.[1];
    if (!requestId)
      throw new Error(`no consent form from the emulator (${page.status}): ${html.slice(0, 300)}`);
    const form = new URLSearchParams({ request_id: requestId, decision: 'allow', email });
    for (const [, scope] of html.matchAll(/name="scope" value="([^"]+)"/g)) form.append('scope', scope!);
    const approved = await fetch(new URL('/o/oauth2/v2/auth/approve', authorize), {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    if (approved.status !== 302) throw new Error(`the emulator's approve answered ${approved.status}`);
    callback = new URL(approved.headers.get('location')!);
  }
  // The redirect names PUBLIC_URL (its port may be the configured 0); the callback is ours, at baseUrl.
  const done = await fetch(`${baseUrl}${callback.pathname}${callback.search}`, {
    headers: { cookie: pendingCookie },
    redirect: 'manual',
  });
  if (done.status !== 302) throw new Error(`the callback answered ${done.status}: ${await done.text()}`);
  return cookiesFrom(done.headers.getSetCookie());
}
