import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddedPostgresHandle, startEmbeddedPostgres } from '@firstlight/db';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';
import type { TaskDispatcher } from '../src/tasks/task-queue.ts';

/**
 * PostgreSQL dies (SIGKILL of the postmaster) while a task runs, and comes back on the same data directory.
 * With pg-boss 10 this ended the process: pg-boss failed the job without awaiting it, an unhandled rejection.
 * The queue here has a PostgreSQL of its own, so killing it touches no other test.
 */

async function until(condition: () => boolean | Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 100));
}

const settings = { fsync: 'off' };

async function startAgain(dataDir: string, port: number): Promise<EmbeddedPostgresHandle> {
  // The killed postmaster's backends notice its death and exit on their own; until then a new one may refuse.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir, port, settings });
    } catch (error) {
      if (attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

async function jobState(url: string, id: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string }>('select state from pgboss.job where id = $1', [
      id,
    ]);
    return rows[0]?.state;
  } finally {
    await client.end();
  }
}

describe('embedded task queue through a database outage', () => {
  let dir: string;
  let postgres: EmbeddedPostgresHandle;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fl-queue-outage-'));
    // As root the embedded PostgreSQL runs as `postgres`, which must be able to enter the folder.
    await chmod(dir, 0o755);
    postgres = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), settings });
  });
  afterAll(async () => {
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('survives PostgreSQL killed under a running task: no unhandled rejection, the task completes once, the workers resume', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const warnings: string[] = [];
    const errors: string[] = [];
    const log = {
      warn: (_object: object, message: string) => warnings.push(message),
      error: (object: object, message: string) => errors.push(`${message}: ${JSON.stringify(object)}`),
    };
    const runs = new Map<string, number>();
    const finished: string[] = [];
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = `outage-${randomUUID()}`;
    const dispatch: TaskDispatcher = async (_kind, _payload, context) => {
      runs.set(context.name, (runs.get(context.name) ?? 0) + 1);
      if (context.name === first) await released;
      finished.push(context.name);
      return { outcome: 'done' };
    };
    const queue = new EmbeddedTaskQueue({
      connectionString: postgres.url,
      concurrency: { 'ingest-high': 1, 'ingest-low': 2, writeback: 1 },
      pollingIntervalSeconds: 0.5,
      log,
    });
    try {
      await queue.start(dispatch);
      const task = (name: string) => ({
        kind: 'mail-batch' as const,
        queue: 'ingest-low' as const,
        name,
        payload: { jobId: randomUUID(), seq: 1, generation: 0 },
      });
      await queue.enqueue(task(first));
      await until(() => runs.has(first));

      process.kill(postgres.pid, 'SIGKILL');
      await postgres.stop();
      // The idle worker's polls fail while the database is away.
      await until(() => warnings.some((message) => message.includes('database unavailable')));
      // The task finishes during the outage: its completion has to wait for the database.
      release();
      await until(() => finished.includes(first));
      postgres = await startAgain(join(dir, 'pg'), postgres.port);

      const id = await queueJobId(postgres.url, first);
      await until(async () => (await jobState(postgres.url, id)) === 'completed');
      // The workers poll again by themselves: a task enqueued now runs.
      const second = `after-${randomUUID()}`;
      await queue.enqueue(task(second));
      await until(() => finished.includes(second));
    } finally {
      await queue.stop();
      process.off('unhandledRejection', onRejection);
    }
    expect(rejections).toEqual([]);
    expect(runs.get(first)).toBe(1);
    expect(errors).toEqual([]);
  }, 60_000);
});

/** The job id the queue gave a task name (its data carries the name). */
async function queueJobId(url: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>(
      `select id from pgboss.job where data->>'name' = $1`,
      [name],
    );
    return rows[0]!.id;
  } finally {
    await client.end();
  }
}
