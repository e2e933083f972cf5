import { readFile } from 'node:fs/promises';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';

async function untilAsync(condition: () => Promise<boolean>) {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

const PENDING = '11111111-1111-5111-8111-111111111111';
const ACTIVE = '22222222-2222-5222-8222-222222222222';
const LATER = '33333333-3333-5333-8333-333333333333';
const DONE = '44444444-4444-5444-8444-444444444444';

describe('a database of the pg-boss 10 days', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    // pg-boss 10's schema with our queues and tasks in each state that matters, as a running product left it.
    const schema = await readFile(new URL('./fixtures/pgboss-10-schema.sql', import.meta.url), 'utf8');
    await sql.raw(schema).execute(database.db);
    for (const queue of ['ingest-high', 'ingest-low', 'writeback']) {
      await sql`select pgboss.create_queue(${queue}, ${JSON.stringify({ policy: 'standard' })}::json)`.execute(
        database.db,
      );
    }
    const job = (id: string, name: string, state: string, startAfter = sql`now()`) =>
      sql`insert into pgboss.job (id, name, data, state, start_after, retry_limit)
          values (${id}, 'ingest-low', ${JSON.stringify({ kind: 'gmail-batch', name, payload: {} })}::jsonb,
                  ${state}::pgboss.job_state, ${startAfter}, 100)`.execute(database.db);
    await job(PENDING, 'pending', 'created');
    await job(ACTIVE, 'was-running', 'active');
    await job(LATER, 'later', 'created', sql`now() + interval '1 hour'`);
    await job(DONE, 'done', 'completed');
  });
  afterAll(() => database.drop());

  it('starts on it: unfinished tasks carried over with their ids and due times, the old schema gone', async () => {
    const delivered: string[] = [];
    const queue = new EmbeddedTaskQueue({
      connectionString: database.url,
      concurrency: { 'ingest-high': 1, 'ingest-low': 2, writeback: 1 },
      pollingIntervalSeconds: 0.5,
    });
    try {
      await queue.start(async (_kind, _payload, context) => {
        delivered.push(context.name);
        return { outcome: 'done' };
      });
      const states = async () =>
        (
          await sql<{ id: string; state: string }>`select id, state from pgboss.job order by id`.execute(
            database.db,
          )
        ).rows;
      // Delivered, then completed once the handler returned.
      await untilAsync(async () => (await states()).filter((row) => row.state === 'completed').length >= 2);
      expect(await states()).toEqual([
        { id: PENDING, state: 'completed' },
        { id: ACTIVE, state: 'completed' },
        { id: LATER, state: 'created' },
      ]);
      expect(delivered.sort()).toEqual(['pending', 'was-running']);
      const { rows: schemas } = await sql<{ name: string }>`
        select nspname as name from pg_namespace where nspname like 'pgboss%' order by 1`.execute(
        database.db,
      );
      expect(schemas.map((schema) => schema.name)).toEqual(['pgboss']);
    } finally {
      await queue.stop();
    }
  });
});
