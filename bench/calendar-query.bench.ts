/**
 * Calendar query: the month fetch for one user with USERS (default 10,000) users × (50 series + 100 singles) in
 * `calendar_events` — the range API's query exactly as the API runs it (`eventsInRangeQuery(...).execute()`),
 * timed per round trip to the server for QUERIES (default 1,000) random (user, month) pairs. Baseline: the naive
 * design's month query on a table of expanded occurrences, built for NAIVE_USERS (default 500) users × 10 years
 * (10,000 users × 10 years would be ~300M rows: too big to load on 2 cores in a benchmark's minutes).
 *   npm run bench -- calendar-query
 */

import { eventsInRangeQuery } from '@firstlight/api';
import { CompiledQuery, sql } from 'kysely';
import {
  benchUserId,
  dropTemplates,
  loadCalendar,
  loadNaive,
  NAIVE_FROM,
  NAIVE_YEARS,
  SERIES_PER_USER,
  SINGLES_PER_USER,
  startBenchDatabase,
} from './calendar-data.ts';
import { percentile, printTable, writeResult } from './support.ts';

const users = Number(process.env.USERS ?? 10_000);
const naiveUsers = Number(process.env.NAIVE_USERS ?? 500);
const queries = Number(process.env.QUERIES ?? 1000);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** mulberry32: the same pairs on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** `count` (user, month) pairs: users 1..userCount, months of the 10-year horizon. */
function pairs(seed: number, userCount: number, count: number) {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const month = Math.floor(next() * NAIVE_YEARS * 12);
    const from = new Date(Date.UTC(NAIVE_FROM.getUTCFullYear(), month, 1));
    const to = new Date(Date.UTC(NAIVE_FROM.getUTCFullYear(), month + 1, 1));
    return { userId: benchUserId(1 + Math.floor(next() * userCount)), from, to };
  });
}

// A server's cache, not the 128 MB default: both designs' hot pages fit (this machine has 24 GiB).
const { db, close } = await startBenchDatabase({ shared_buffers: '2GB' });
try {
  await loadCalendar(db, users);
  console.log(`  ours: ${users} users loaded (${elapsed()})`);
  await loadNaive(db, naiveUsers, console.log);
  await dropTemplates(db);
  await sql`VACUUM ANALYZE calendar_events`.execute(db);
  await sql`VACUUM ANALYZE calendar_occurrences_naive`.execute(db);
  // Flush the load's dirty pages now, not by the checkpointer in the middle of the timing.
  await sql`CHECKPOINT`.execute(db);
  console.log(`  loaded, vacuumed, analyzed and checkpointed (${elapsed()})`);

  const naiveQuery = (userId: string, from: Date, to: Date) =>
    sql`SELECT * FROM calendar_occurrences_naive WHERE user_id = ${userId} AND start_at >= ${from} AND start_at < ${to}`;

  /** Each query's round trip to the server, one at a time, after 100 other pairs as a warm-up. */
  async function time(
    run: (pair: ReturnType<typeof pairs>[number]) => Promise<number>,
    list: ReturnType<typeof pairs>,
    warmUp: ReturnType<typeof pairs>,
  ) {
    for (const pair of warmUp) await run(pair);
    const ms: number[] = [];
    let rows = 0;
    for (const pair of list) {
      const t0 = performance.now();
      rows += await run(pair);
      ms.push(performance.now() - t0);
    }
    const round = (value: number) => Math.round(value * 1000) / 1000;
    return {
      p50_ms: round(percentile(ms, 50)),
      p95_ms: round(percentile(ms, 95)),
      p99_ms: round(percentile(ms, 99)),
      rows_per_query: Math.round((rows / list.length) * 10) / 10,
    };
  }
  const ours = await time(
    async ({ userId, from, to }) => (await eventsInRangeQuery(db, userId, from, to).execute()).length,
    pairs(1, users, queries),
    pairs(11, users, 100),
  );
  const naive = await time(
    async ({ userId, from, to }) => (await naiveQuery(userId, from, to).execute(db)).rows.length,
    pairs(2, naiveUsers, queries),
    pairs(12, naiveUsers, 100),
  );

  /** The server's side alone: EXPLAIN ANALYZE's execution time of the same pairs (planning excluded). */
  async function serverSide(
    compile: (pair: ReturnType<typeof pairs>[number]) => CompiledQuery,
    list: ReturnType<typeof pairs>,
  ) {
    const ms: number[] = [];
    for (const pair of list) {
      const query = compile(pair);
      const { rows } = await db.executeQuery<{ 'QUERY PLAN': unknown }>(
        CompiledQuery.raw(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.sql}`, [...query.parameters]),
      );
      const plan = rows[0]!['QUERY PLAN'];
      const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as [{ 'Execution Time': number }];
      ms.push(parsed[0]['Execution Time']);
    }
    const round = (value: number) => Math.round(value * 1000) / 1000;
    return {
      server_p50_ms: round(percentile(ms, 50)),
      server_p95_ms: round(percentile(ms, 95)),
      server_p99_ms: round(percentile(ms, 99)),
    };
  }
  const oursServer = await serverSide(
    ({ userId, from, to }) => eventsInRangeQuery(db, userId, from, to).compile(),
    pairs(1, users, queries),
  );
  const naiveServer = await serverSide(
    ({ userId, from, to }) => naiveQuery(userId, from, to).compile(db),
    pairs(2, naiveUsers, queries),
  );

  const sample = pairs(3, users, 1)[0]!;
  const compiled = eventsInRangeQuery(db, sample.userId, sample.from, sample.to).compile();
  const explain = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`, [...compiled.parameters]),
  );
  console.log(
    `\nEXPLAIN (ANALYZE, BUFFERS) of the range query, one user, ${sample.from.toISOString().slice(0, 7)}:`,
  );
  for (const row of explain.rows) console.log(`  ${row['QUERY PLAN']}`);
  const naiveSample = pairs(4, naiveUsers, 1)[0]!;
  const naiveCompiled = naiveQuery(naiveSample.userId, naiveSample.from, naiveSample.to).compile(db);
  const naiveExplain = await db.executeQuery<{ 'QUERY PLAN': string }>(
    CompiledQuery.raw(`EXPLAIN (ANALYZE, BUFFERS) ${naiveCompiled.sql}`, [...naiveCompiled.parameters]),
  );
  console.log('\nEXPLAIN (ANALYZE, BUFFERS) of the naive month query:');
  for (const row of naiveExplain.rows) console.log(`  ${row['QUERY PLAN']}`);

  const counts = await sql<{ ours: string; naive: string }>`SELECT
      (SELECT count(*) FROM calendar_events) AS ours,
      (SELECT count(*) FROM calendar_occurrences_naive) AS naive`.execute(db);
  const rowsOurs = Number(counts.rows[0]!.ours);
  const rowsNaive = Number(counts.rows[0]!.naive);

  printTable(
    `calendar-query — month fetch, ${queries} random (user, month) pairs, round trip to the server (warm)`,
    [
      [
        'ours: users × (series + singles)',
        `${users} × (${SERIES_PER_USER} + ${SINGLES_PER_USER}), ${rowsOurs.toLocaleString('en')} rows`,
      ],
      [
        'naive: users × years of occurrences',
        `${naiveUsers} × ${NAIVE_YEARS}, ${rowsNaive.toLocaleString('en')} rows`,
      ],
      ['ours p50 / p95 / p99 (ms)', `${ours.p50_ms} / ${ours.p95_ms} / ${ours.p99_ms}`],
      ['naive p50 / p95 / p99 (ms)', `${naive.p50_ms} / ${naive.p95_ms} / ${naive.p99_ms}`],
      [
        'ours, server execution alone p50 / p95 / p99 (ms)',
        `${oursServer.server_p50_ms} / ${oursServer.server_p95_ms} / ${oursServer.server_p99_ms}`,
      ],
      [
        'naive, server execution alone p50 / p95 / p99 (ms)',
        `${naiveServer.server_p50_ms} / ${naiveServer.server_p95_ms} / ${naiveServer.server_p99_ms}`,
      ],
      [
        'rows per query, ours (series + singles) / naive (occurrences)',
        `${ours.rows_per_query} / ${naive.rows_per_query}`,
      ],
      ['run time', elapsed()],
    ],
  );
  await writeResult(
    'calendar-query',
    { ...ours, ...oursServer, users, rows: rowsOurs },
    { ...naive, ...naiveServer, naive_users: naiveUsers, naive_years: NAIVE_YEARS, rows: rowsNaive },
  );
} finally {
  await close();
}
