import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type EmbeddedPostgresHandle, freePort, startEmbeddedPostgres } from '@firstlight/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseState, DatabaseStatus } from './database-status.ts';

const quiet = { warn() {}, info() {} };

function nextChange(status: DatabaseStatus): Promise<DatabaseState> {
  return new Promise((resolve) => {
    const off = status.onChange((state) => {
      off();
      resolve(state);
    });
  });
}

describe('DatabaseStatus', () => {
  let dir: string;
  let port: number;
  let server: EmbeddedPostgresHandle | undefined;
  const start = async () => {
    server = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), port, onWarn: () => {} });
    return server;
  };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firstlight-dbstatus-'));
    await chmod(dir, 0o755);
    port = await freePort();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('tells once when the database goes away and once when it is back, on its own schedule', async () => {
    const { url } = await start();
    const db = createDatabase({ connectionString: url, max: 2, onConnectionError: () => {} });
    const status = new DatabaseStatus(db, { log: quiet, probeEveryMs: 50, probeWhileDownMs: 50 });
    const changes: DatabaseState[] = [];
    status.onChange((state) => changes.push(state));
    try {
      expect((await status.probeNow()).available).toBe(true);
      status.start();

      const down = nextChange(status);
      await server!.stop();
      expect(await down).toMatchObject({ available: false, reason: expect.stringMatching(/./) });
      // Probes go on failing: no further change is announced.
      await status.probeNow();
      await status.probeNow();
      expect(changes).toHaveLength(1);

      const up = nextChange(status);
      await start();
      expect(await up).toEqual({ available: true, reason: null });
      expect(changes.map((state) => state.available)).toEqual([false, true]);
    } finally {
      status.stop();
      await db.destroy();
    }
  });
});
