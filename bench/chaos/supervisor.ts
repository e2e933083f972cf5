import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EmbeddedPostgresHandle, freePort, startEmbeddedPostgres } from '@firstlight/db';

/**
 * The processes of a chaos run, started as a user would start them: the API's real entry point and the
 * emulator's CLI, each its own process group (a terminal's Ctrl-C reaches the harness only, which then kills
 * them in a known order). Everything started is registered, so any way out — success, failure, Ctrl-C — kills
 * it, including the embedded PostgreSQL an API SIGKILLed by us leaves behind.
 */

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const started = new Set<ChildProcess>();
const postgresDirs = new Set<string>();
const tempDirs = new Set<string>();

/** Kill what this run started; synchronous, so it also works from an 'exit' handler. Safe to call twice. */
export function killEverything(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) signal(child.pid, 'SIGKILL');
  for (const dir of postgresDirs) signal(postmasterPid(dir), 'SIGKILL');
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  started.clear();
  postgresDirs.clear();
  tempDirs.clear();
}

export function installCleanup(): void {
  process.on('exit', killEverything);
  for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(name, () => {
      console.error(`\nchaos: ${name}: killing every process this run started`);
      killEverything();
      process.exit(130);
    });
  }
}

/** A folder removed (and its PostgreSQL killed) at the end of the run, whatever happens. */
export function registerTempDir(dir: string): void {
  tempDirs.add(dir);
}

export function forgetTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

/** A data directory whose postmaster (per `postmaster.pid`) must not outlive the run. */
export function registerPostgresDir(pgDataDir: string): void {
  postgresDirs.add(pgDataDir);
}

/** The live postmaster's pid from `<dataDir>/postmaster.pid`, if any. */
export function postmasterPid(pgDataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(pgDataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export interface ExitRecord {
  /** ms since the process started. */
  afterMs: number;
  code: number | null;
  signal: string | null;
  /** The harness killed it (a planned fault or the end of the scenario). */
  expected: boolean;
  /** The last lines of its output: why it went. */
  tail: string[];
}

/**
 * One long-lived process with its output appended to a log file. `kill()` marks the exit as expected; any other
 * exit is recorded as unexpected (the product ended itself).
 */
export class Supervised {
  readonly exits: ExitRecord[] = [];
  #child: ChildProcess | undefined;
  #expecting = false;
  #startedAt = 0;
  #exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    readonly args: string[],
    readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.alive ? this.#child?.pid : undefined;
  }

  get unexpectedExits(): ExitRecord[] {
    return this.exits.filter((exit) => !exit.expected);
  }

  start(): void {
    if (this.alive) throw new Error(`${this.name} is already running`);
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, this.args, {
      cwd: repoRoot,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', log, log],
      detached: true,
    });
    closeSync(log);
    started.add(child);
    this.#child = child;
    this.#expecting = false;
    this.#startedAt = performance.now();
    this.#exited = new Promise((resolve) => {
      child.once('exit', (code, signalName) => {
        started.delete(child);
        this.exits.push({
          afterMs: Math.round(performance.now() - this.#startedAt),
          code,
          signal: signalName,
          expected: this.#expecting,
          tail: this.#tail(40),
        });
        resolve();
      });
    });
  }

  /** SIGKILL by default: no shutdown code runs, as when a machine or container dies. */
  async kill(name: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.alive) return;
    this.#expecting = true;
    signal(this.#child?.pid, name);
    await this.#exited;
  }

  /** Bytes this process has read so far (sockets included): who is busy fetching from Google. */
  readBytes(): number {
    try {
      const io = readFileSync(`/proc/${this.pid}/io`, 'utf8');
      return Number(/^rchar: (\d+)$/m.exec(io)?.[1] ?? 0);
    } catch {
      return 0;
    }
  }

  /** Why it went: raw output (stack traces) and error-level log lines, from the end of its log. */
  #tail(lines: number): string[] {
    let text = '';
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    return text
      .trimEnd()
      .split('\n')
      .slice(-80)
      .flatMap((line) => {
        if (!line.startsWith('{')) return line.trim() ? [line] : [];
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
          return (entry.level ?? 0) >= 50 ? [`[log error] ${entry.msg}: ${entry.err?.message ?? ''}`] : [];
        } catch {
          return [line];
        }
      })
      .slice(-lines);
  }
}

/** The API through its real entry point, as `npm start` runs it (tsx in-process). */
export class ApiProcess extends Supervised {
  constructor(
    name: string,
    readonly url: string,
    env: Record<string, string>,
    logFile: string,
  ) {
    super(name, ['--import', 'tsx', 'apps/api/src/main.ts'], env, logFile);
  }

  static async create(name: string, env: Record<string, string>, logFile: string): Promise<ApiProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    return new ApiProcess(
      name,
      url,
      { HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, ...env },
      logFile,
    );
  }

  /** Until `/readyz` answers 200 (database reachable); false if the process exits or the time runs out. */
  async ready(timeoutMs = 60_000): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline && this.alive) {
      const status = await httpStatus(`${this.url}/readyz`);
      if (status === 200) return true;
      await sleep(200);
    }
    return false;
  }
}

/** The standalone Google emulator (its CLI), which stays up while API processes die and come back. */
export class EmulatorProcess extends Supervised {
  constructor(
    readonly url: string,
    args: string[],
    logFile: string,
  ) {
    super('emulator', ['--import', 'tsx', 'packages/google-emulator/src/cli.ts', ...args], {}, logFile);
  }

  static async start(args: string[], logFile: string): Promise<EmulatorProcess> {
    const port = await freePort();
    const emulator = new EmulatorProcess(
      `http://127.0.0.1:${port}`,
      [`--port=${port}`, '--host=127.0.0.1', '--quiet', ...args],
      logFile,
    );
    emulator.start();
    const deadline = performance.now() + 60_000;
    while ((await httpStatus(`${emulator.url}/admin/stats`)) !== 200) {
      if (!emulator.alive || performance.now() > deadline)
        throw new Error(`the emulator did not start: ${emulator.exits.at(-1)?.tail.join('\n') ?? 'timeout'}`);
      await sleep(200);
    }
    return emulator;
  }
}

/**
 * A PostgreSQL server the harness runs for the `DATABASE_URL` scenarios (the product's own launcher on a temp
 * dir), which it can SIGKILL and start again on the same data directory and port.
 */
export class HarnessPostgres {
  #handle: EmbeddedPostgresHandle | undefined;
  #port = 0;

  constructor(
    readonly dataDir: string,
    /** More server settings (`-c name=value`), e.g. a preloaded library for a profile. */
    readonly extraSettings: Record<string, string> = {},
  ) {
    registerPostgresDir(dataDir);
  }

  get url(): string {
    if (!this.#handle) throw new Error('postgres is not running');
    return this.#handle.url;
  }

  get pid(): number | undefined {
    return this.#handle?.pid;
  }

  async start(): Promise<void> {
    // The same port each time, so the API's DATABASE_URL stays right across restarts.
    this.#handle = await startEmbeddedPostgres({
      dataDir: this.dataDir,
      port: this.#port,
      settings: { fsync: 'off', max_connections: '200', ...this.extraSettings },
      // An operator's server: down until the harness starts it again (the product must wait, not the launcher).
      supervise: false,
    });
    this.#port = this.#handle.port;
  }

  /** SIGKILL of the postmaster, as a crash or an OOM kill would do it. */
  kill(): void {
    signal(this.#handle?.pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    await this.#handle?.stop();
  }
}

export async function httpStatus(url: string, timeoutMs = 2_000): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
