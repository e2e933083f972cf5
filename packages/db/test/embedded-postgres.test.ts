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

const busyQueryCount = `select pid from pg_stat_activity where query like 'select count(*) from generate_series%' and state = 'active'`;

/** Polls `check` until it returns something truthy (bounded by the test timeout). */
async function waitFor<T>(check: () => T | Promise<T>): Promise<NonNullable<T>> {
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    await new Promise((resolve) => setTimeout(resolve, 50));
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

  it('restarts a server killed under it on the same port, data intact, even with an orphaned busy backend', async () => {
    const warnings: string[] = [];
    const server = await startEmbeddedPostgres({
      dataDir: join(dir, 'supervised'),
      onWarn: (message) => warnings.push(message),
    });
    try {
      await query(server.url, 'create table kept (value text); insert into kept values ($$committed$$)');
      const killed = server.pid;
      // A backend busy in a statement does not notice its postmaster died and keeps the old shared memory,
      // which makes a new postmaster refuse to start: the supervisor must deal with it.
      const busy = new pg.Client({ connectionString: server.url });
      busy.on('error', () => {});
      await busy.connect();
      const running = busy.query('select count(*) from generate_series(1, 10000000000)').catch(() => {});
      await waitFor(async () => (await query(server.url, busyQueryCount)).length === 1);

      process.kill(killed, 'SIGKILL');
      await waitFor(() => server.pid !== killed && isAlive(server.pid));
      expect(server.port).toBeGreaterThan(0);
      // The same connection string (same port) works again, and committed data survived.
      const rows = await waitFor(() => query(server.url, 'select value from kept').catch(() => undefined));
      expect(rows).toEqual([{ value: 'committed' }]);
      expect(warnings.join('\n')).toMatch(/exited on its own[\s\S]*restarted/);
      await running;
      await busy.end().catch(() => {});
    } finally {
      await server.stop();
    }
    // stop() is for good: nothing comes back.
    const stoppedPid = server.pid;
    expect(isAlive(stoppedPid)).toBe(false);
    await expect(query(server.url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
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
