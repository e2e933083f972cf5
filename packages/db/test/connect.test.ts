import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createPool,
  freePort,
  isDatabaseUnreachable,
  retryWhileUnreachable,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/index.ts';

describe('connections', () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test.drop());

  it('survives the server ending a checked-out connection (no uncaught error event), then reconnects', async () => {
    const seen: Error[] = [];
    const pool = createPool({ connectionString: test.url, max: 2, onConnectionError: (e) => seen.push(e) });
    try {
      const client = await pool.connect(); // checked out: pg-pool's own idle listener is off
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      const ended = new Promise((resolve) => client.once('end', resolve));
      // What a database restart does to a connection held between two statements of a transaction.
      await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(test.db);
      await ended; // without a listener, the 'error' before this would have been an uncaught exception
      await expect(client.query('select 1')).rejects.toThrow();
      client.release(true);
      expect((await pool.query('select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });

  it('tells "unreachable" (wait for it) from a request the server refuses (do not)', async () => {
    const nobody = createDatabase({
      connectionString: `postgres://postgres:postgres@127.0.0.1:${await freePort()}/x`,
    });
    const refused = await sql`select 1`.execute(nobody).catch((error: unknown) => error);
    await nobody.destroy();
    expect(isDatabaseUnreachable(refused)).toBe(true);

    const wrongPassword = new URL(test.url);
    wrongPassword.password = 'not-the-password';
    const denied = createDatabase({ connectionString: wrongPassword.toString() });
    const authError = await sql`select 1`.execute(denied).catch((error: unknown) => error);
    await denied.destroy();
    expect(authError).toBeInstanceOf(Error);
    expect(isDatabaseUnreachable(authError)).toBe(false);
    expect(isDatabaseUnreachable(new Error('syntax error'))).toBe(false);
  });

  it('retries work while the database is unreachable and throws anything else at once', async () => {
    let calls = 0;
    const waits: number[] = [];
    const value = await retryWhileUnreachable(
      async () => {
        calls++;
        if (calls < 3) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        return 'done';
      },
      { minDelayMs: 1, onWait: (_error, delay) => waits.push(delay) },
    );
    expect(value).toBe('done');
    expect(waits).toEqual([1, 2]);

    calls = 0;
    await expect(
      retryWhileUnreachable(async () => {
        calls++;
        throw Object.assign(new Error('password authentication failed'), { code: '28P01' });
      }),
    ).rejects.toThrow(/password/);
    expect(calls).toBe(1);
  });
});
