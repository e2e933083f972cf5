import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@firstlight/db';

/**
 * The Google emulator in a process of its own, so a benchmark's RSS figure is the API's alone. Controlled over
 * its admin HTTP API (the same one docker-compose users have).
 */
export interface EmulatorProcess {
  url: string;
  stats(): Promise<{
    methods: Record<string, { calls: number; units: number; errors: Record<string, number> }>;
  }>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

export async function startEmulatorProcess(args: string[]): Promise<EmulatorProcess> {
  const port = await freePort();
  const bin = fileURLToPath(
    new URL('../packages/google-emulator/bin/firstlight-google-emulator.mjs', import.meta.url),
  );
  const child: ChildProcess = spawn(process.execPath, [bin, `--port=${port}`, '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stats: async () =>
      (await (await fetch(`${url}/admin/stats`)).json()) as Awaited<ReturnType<EmulatorProcess['stats']>>,
    resetStats: async () => {
      await fetch(`${url}/admin/reset`, { method: 'POST' });
    },
    close: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}
