/**
 * Calendar storage: our one-row-per-series `calendar_events` against the naive design — a table of every
 * occurrence over 10 years — for the same USERS (default 1,000) × 50 series + 100 singles, side by side in one
 * embedded PostgreSQL. Figures: rows and bytes (pg_total_relation_size: heap, TOAST and indexes) of each.
 *   npm run bench -- calendar-storage      (USERS=200 npm run bench -- calendar-storage for a quick run)
 */
import { sql } from 'kysely';
import {
  dropTemplates,
  loadCalendar,
  loadNaive,
  NAIVE_YEARS,
  SERIES_PER_USER,
  SINGLES_PER_USER,
  startBenchDatabase,
} from './calendar-data.ts';
import { printTable, writeResult } from './support.ts';

const users = Number(process.env.USERS ?? 1000);
const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

const { db, close } = await startBenchDatabase();
try {
  const { occurrencesPerUser } = await loadCalendar(db, users);
  console.log(`  ours: ${users} users loaded (${elapsed()})`);
  await loadNaive(db, users, console.log);
  await dropTemplates(db);
  // Both tables' indexes compact (the naive primary key was built after the load; ours grew row by row).
  await sql`REINDEX TABLE calendar_events`.execute(db);
  await sql`VACUUM ANALYZE calendar_events`.execute(db);
  await sql`VACUUM ANALYZE calendar_occurrences_naive`.execute(db);
  console.log(`  loaded and vacuumed (${elapsed()})`);

  const size = async (table: string) => {
    const { rows } = await sql<{ rows: string; bytes: string; heap: string }>`
      SELECT (SELECT count(*) FROM ${sql.table(table)}) AS rows,
        pg_total_relation_size(${table}::regclass) AS bytes,
        pg_relation_size(${table}::regclass) AS heap`.execute(db);
    return { rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes), heap: Number(rows[0]!.heap) };
  };
  const ours = await size('calendar_events');
  const naive = await size('calendar_occurrences_naive');

  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
  const figures = {
    rows_ours: ours.rows,
    rows_naive: naive.rows,
    bytes_ours: ours.bytes,
    bytes_naive: naive.bytes,
  };
  printTable(
    `calendar-storage — ${users} users × (${SERIES_PER_USER} series + ${SINGLES_PER_USER} singles), naive = ${NAIVE_YEARS} years expanded`,
    [
      ['rows, ours (calendar_events)', ours.rows.toLocaleString('en')],
      ['rows, naive (calendar_occurrences_naive)', naive.rows.toLocaleString('en')],
      ['occurrences per user in 10 years (50 series)', occurrencesPerUser.toLocaleString('en')],
      [
        'bytes, ours (total: heap + TOAST + indexes)',
        `${ours.bytes} (${mb(ours.bytes)}; heap ${mb(ours.heap)})`,
      ],
      [
        'bytes, naive (total: heap + TOAST + indexes)',
        `${naive.bytes} (${mb(naive.bytes)}; heap ${mb(naive.heap)})`,
      ],
      ['rows ratio naive / ours', (naive.rows / ours.rows).toFixed(1)],
      ['bytes ratio naive / ours', (naive.bytes / ours.bytes).toFixed(1)],
      [
        'bytes per user, ours / naive',
        `${Math.round(ours.bytes / users)} / ${Math.round(naive.bytes / users)}`,
      ],
      ['run time', elapsed()],
    ],
  );
  await writeResult(
    'calendar-storage',
    { users, ...figures },
    {
      users,
      naive_years: NAIVE_YEARS,
      rows_naive: naive.rows,
      bytes_naive: naive.bytes,
    },
  );
} finally {
  await close();
}
