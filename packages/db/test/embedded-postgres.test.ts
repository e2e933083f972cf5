import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/index.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

async function query(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

function isAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firstlight-embedded-'));
    await chmod(dir, 0o755);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a cluster, keeps its data across restarts, and stops cleanly', async () => {
    const dataDir = join(dir, 'reuse');
    const first = await startEmbeddedPostgres({ dataDir });
    await query(first.url, 'create table kept (value text); insert into kept values ($$still here$$)');
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    await first.stop(); // a second stop is harmless

    const second = await startEmbeddedPostgres({ dataDir });
    try {
      expect(await query(second.url, 'select value from kept')).toEqual([{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('recovers the data dir from a server orphaned by a killed process', async () => {
    const dataDir = join(dir, 'orphan');
    // A separate Node process starts the server and prints its pid; we SIGKILL that process, as a crash would.
    const script = `
      import { startEmbeddedPostgres } from '@firstlight/db';
      const pg = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)} });
      console.log(JSON.stringify({ pid: pg.pid }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString()));
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const orphanPid = (JSON.parse(line) as { pid: number }).pid;
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(isAlive(orphanPid)).toBe(true); // the orphan still holds the data dir

    const next = await startEmbeddedPostgres({ dataDir });
    try {
      expect(isAlive(orphanPid)).toBe(false);
      expect(await query(next.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    } finally {
      await next.stop();
    }
    await expect(readFile(`${dataDir}.owner`, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a data dir another live Firstlight process is using', async () => {
    const dataDir = join(dir, 'busy');
    const running = await startEmbeddedPostgres({ dataDir });
    try {
      // Pretend the owner is another live process (our parent is alive and is not us).
      const { writeFile } = await import('node:fs/promises');
      await writeFile(`${dataDir}.owner`, String(process.ppid));
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(
        /in use by another Firstlight process/,
      );
      expect(isAlive(running.pid)).toBe(true);
    } finally {
      await running.stop();
    }
  });
});
