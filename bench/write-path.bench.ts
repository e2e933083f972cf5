/**
 * The backfill's write path alone (the figure `write_messages_per_s` the backfill bench also reports): USERS
 * (default 50) users in parallel, MESSAGES_PER_USER (default 2,000) pre-parsed messages each, stored through
 * `storeEmails` in the batch handler's chunks; Google and its quota are not involved. See write-path.ts.
 *   npm run bench -- write-path        USERS=50 MESSAGES_PER_USER=2000 POOL=20 npm run bench -- write-path
 */

import { printTable, writeResult } from './support.ts';
import { measureWritePath } from './write-path.ts';

const users = Number(process.env.USERS ?? 50);
const messagesPerUser = Number(process.env.MESSAGES_PER_USER ?? 2_000);
const poolSize = Number(process.env.POOL ?? 20);

const result = await measureWritePath({ users, messagesPerUser, poolSize });
const figures = {
  write_messages_per_s: result.messagesPerSecond,
  rows: result.rows,
  seconds: result.seconds,
  chunk_p50_ms: result.chunkP50Ms,
  chunk_p95_ms: result.chunkP95Ms,
  users,
  pool_size: poolSize,
};
printTable(
  `write path — ${users} users × ${messagesPerUser} messages, storeEmails in chunks of 50, pool ${poolSize}`,
  [
    ['rows stored', figures.rows],
    ['write time (s)', figures.seconds],
    ['messages written / s', figures.write_messages_per_s],
    ['one chunk upsert, p50 / p95 (ms)', `${figures.chunk_p50_ms} / ${figures.chunk_p95_ms}`],
  ],
);
await writeResult('write-path', figures);
