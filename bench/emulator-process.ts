import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@firstlight/db';
import type { UsageWindow } from '@firstlight/google-emulator';

/**
 * The Google emulator in a process of its own, so a benchmark's RSS figure is the API's alone. Controlled over
 * its admin HTTP API (the same one docker-compose users have).
 */
/** The emulator's `/admin/stats`: calls, quota units and errors per method since the last reset. */
export interface EmulatorStats {
  methods: Record<string, { calls: number; units: number; errors: Record<string, number> }>;
  errorsByCause: Record<string, number>;
  quota: { windowMs: number; gmailUnitsPerUser: number; gmailUnitsPerProject: number; enabled: boolean };
  /** Per-window totals since the last reset, oldest first (per-user units: `quotaUsage()`). */
  quotaWindows: UsageWindow[];
}

/** Quota units charged for Gmail calls (Calendar has its own quota). */
export function gmailUnits(stats: EmulatorStats): number {
  return Object.entries(stats.methods)
    .filter(([method]) => method.startsWith('gmail.'))
    .reduce((sum, [, entry]) => sum + entry.units, 0);
}

/** Answers with this HTTP status, every method counted (a batch's parts count one each). */
export function errorsWithStatus(stats: EmulatorStats, status: number): number {
  return Object.values(stats.methods).reduce((sum, entry) => sum + (entry.errors[String(status)] ?? 0), 0);
}

export interface EmulatorProcess {
  url: string;
  /** The emulator's process id (for bench/process-cpu.ts). */
  pid: number;
  stats(): Promise<EmulatorStats>;
  /** `GET /admin/quota/usage`: per window, the project's and each user's units and the refusals. */
  quotaUsage(query?: { last?: number; users?: boolean }): Promise<UsageWindow[]>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `args` are the CLI's flags (`--help` lists them), e.g. `--accounts-pattern=scale{0..999}@example.com:300-3000`,
 * `--quota-window-ms=6000`, `--gmail-project-quota=…`.
 */
export async function startEmulatorProcess(
  args: string[],
  /** Node's own flags for the emulator's process, e.g. `['--cpu-prof', '--cpu-prof-dir=/tmp/prof']`. */
  nodeArgs: string[] = [],
): Promise<EmulatorProcess> {
  const port = await freePort();
  const bin = fileURLToPath(
    new URL('../packages/google-emulator/bin/firstlight-google-emulator.mjs', import.meta.url),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [...nodeArgs, bin, `--port=${port}`, '--quiet', ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pid: child.pid!,
    quotaUsage: async (query = {}) => {
      const params = new URLSearchParams();
      if (query.last !== undefined) params.set('last', String(query.last));
      if (query.users !== undefined) params.set('users', String(query.users));
      const response = await fetch(`${url}/admin/quota/usage?${params}`);
      return ((await response.json()) as { windows: UsageWindow[] }).windows;
    },
    stats: async () => (await (await fetch(`${url}/admin/stats`)).json()) as EmulatorStats,
    resetStats: async () => {
      await fetch(`${url}/admin/reset`, { method: 'POST' });
    },
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
