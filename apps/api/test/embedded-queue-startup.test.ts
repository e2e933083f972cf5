import { createDatabase, migrate } from '@firstlight/db';
import { createTestDatabase } from '@firstlight/db/testing';
import { describe, expect, it } from 'vitest';
import { EmbeddedTaskQueue } from '../src/tasks/embedded-queue.ts';

/**
 * Instances started together on an empty database: each runs what main.ts runs at start — our migrations, then
 * the queue (pg-boss creating its schema and our queues). Without a lock around pg-boss's part, two instances
 * at once deadlocked in createQueue in 2 of 5 tries.
 */
async function startInstance(url: string) {
  const db = createDatabase({ connectionString: url, max: 2 });
  const queue = new EmbeddedTaskQueue({
    connectionString: url,
    concurrency: { 'ingest-high': 1, 'ingest-low': 1, writeback: 1 },
  });
  try {
    await migrate(db);
    await queue.start(async () => ({ outcome: 'done' }));
  } finally {
    await queue.stop();
    await db.destroy();
  }
}

describe('instances starting together', () => {
  it('4 instances started at the same moment on an empty database all start, 10 times out of 10', async () => {
    const failures: string[] = [];
    for (let round = 0; round < 10; round++) {
      const database = await createTestDatabase({ migrated: false });
      try {
        const results = await Promise.allSettled(
          Array.from({ length: 4 }, () => startInstance(database.url)),
        );
        for (const result of results) {
          if (result.status === 'rejected')
            failures.push(`round ${round}: ${(result.reason as Error).message}`);
        }
      } finally {
        await database.drop();
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);
});
