/**
 * Shared data for the calendar benchmarks (calendar-storage, calendar-query): an embedded PostgreSQL with the
 * migrations applied, N users × the 50 realistic series of packages/recurrence/bench/series-set.ts (+ 100
 * singles each) in `calendar_events` exactly as the API stores them, and the naive design beside it — a table of
 * expanded occurrences over 10 years. Everything is generated in SQL from small templates: the 50 series are
 * compiled (seriesBounds) and expanded (expand) once in Node and replicated per user by the database.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type Database, migrate, startEmbeddedPostgres } from '@firstlight/db';
import { expand, type Series, seriesBounds } from '@firstlight/recurrence';
import { type Kysely, sql } from 'kysely';
import { seriesSet } from '../packages/recurrence/bench/series-set.ts';

export const SERIES_PER_USER = 50;
export const SINGLES_PER_USER = 100;
/** The naive design's horizon: 10 years of occurrences (the window the expansion benchmark uses). */
export const NAIVE_FROM = new Date('2025-01-01T00:00:00Z');
export const NAIVE_TO = new Date('2035-01-01T00:00:00Z');
export const NAIVE_YEARS = 10;
const DAY_MS = 86_400_000;

export const NAIVE_TABLE_DDL = `
  CREATE TABLE calendar_occurrences_naive (
    user_id  uuid NOT NULL,
    event_id uuid NOT NULL,
    start_at timestamptz NOT NULL,
    end_at   timestamptz NOT NULL,
    summary  text,
    location text
  )`;
export const NAIVE_PRIMARY_KEY =
  'ALTER TABLE calendar_occurrences_naive ADD PRIMARY KEY (user_id, start_at, event_id)';

/** Embedded PostgreSQL in a temp dir, migrated; `close` stops it and removes the dir. */
export async function startBenchDatabase(settings: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'firstlight-bench-'));
  await chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({
    dataDir: join(dir, 'pg'),
    settings: {
      fsync: 'off',
      // Bulk loading: the naive table is created and filled in one transaction, which wal_level=minimal lets
      // skip the WAL; bigger maintenance memory for its primary key.
      wal_level: 'minimal',
      max_wal_senders: '0',
      max_wal_size: '8GB',
      maintenance_work_mem: '1GB',
      ...settings,
    },
  });
  const db = createDatabase({ connectionString: pg.url, max: 4 });
  await migrate(db);
  return {
    db,
    close: async () => {
      await db.destroy();
      await pg.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const SUMMARIES = ['Standup', '1:1', 'Team sync', 'Planning', 'Design review', 'Gym', 'Office hours'];
const LOCATIONS = [null, 'Room 4.12', 'https://meet.google.com/abc-defg-hij', null, 'Cafeteria'];

/** One series as the API stores it (event-mapper.ts), with its name and place. */
interface SeriesTemplate {
  idx: number;
  summary: string;
  location: string | null;
  all_day: boolean;
  tzid: string | null;
  dtstart_local: string;
  duration_ms: number;
  recurrence: string[];
  exceptions: { cancelled: string[]; overrides: Record<string, unknown> };
  start_at: string;
  end_at: string;
  series_start: string;
  series_end: string | null;
}

function seriesTemplates(all: Series[]): SeriesTemplate[] {
  return all.map((series, idx) => {
    const allDay = series.dtstart.length === 10;
    const durationMs = series.durationMs ?? (allDay ? DAY_MS : 0);
    const bounds = seriesBounds(series);
    return {
      idx,
      summary: `${SUMMARIES[idx % SUMMARIES.length]} ${idx}`,
      location: LOCATIONS[idx % LOCATIONS.length] ?? null,
      all_day: allDay,
      tzid: series.tzid ?? null,
      dtstart_local: allDay ? `${series.dtstart} 00:00:00` : series.dtstart.replace('T', ' '),
      duration_ms: durationMs,
      recurrence: [...series.recurrence],
      exceptions: {
        cancelled: [...(series.exceptions?.cancelled ?? [])],
        overrides: { ...(series.exceptions?.overrides ?? {}) },
      },
      start_at: bounds.start.toISOString(),
      end_at: new Date(bounds.start.getTime() + durationMs).toISOString(),
      series_start: bounds.start.toISOString(),
      series_end: bounds.end?.toISOString() ?? null,
    };
  });
}

/**
 * The 50 series expanded once over the naive horizon: the naive table is these rows × every user. An override
 * moved onto another occurrence's start (the series set has one) would collide in the naive primary key
 * (user_id, start_at, event_id): that design cannot hold it, so the duplicate start is kept once.
 */
function occurrenceTemplates(all: Series[], templates: SeriesTemplate[]) {
  const seen = new Set<string>();
  return all.flatMap((series, idx) =>
    expand(series, NAIVE_FROM, NAIVE_TO)
      .filter((occurrence) => {
        const key = `${idx} ${occurrence.start.getTime()}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((occurrence) => ({
        idx,
        start_at: occurrence.start.toISOString(),
        end_at: occurrence.end.toISOString(),
        summary: occurrence.overrides?.summary ?? templates[idx]!.summary,
        location: templates[idx]!.location,
      })),
  );
}

/** Deterministic ids, so both designs refer to the same users and events without a lookup. */
const userId = (ordinal: string) => `md5('bench-user-' || ${ordinal})::uuid`;

/**
 * Users 1..n with `SERIES_PER_USER` series and `SINGLES_PER_USER` singles each in `calendar_events`, plus the
 * templates the naive table is built from (`bench_series`, `bench_occurrences`). Returns the counts.
 */
export async function loadCalendar(db: Kysely<Database>, users: number) {
  const all = seriesSet();
  const templates = seriesTemplates(all);
  const occurrences = occurrenceTemplates(all, templates);
  await sql`CREATE TABLE bench_series AS SELECT * FROM jsonb_to_recordset(${JSON.stringify(templates)}::jsonb) AS t(
      idx int, summary text, location text, all_day boolean, tzid text, dtstart_local timestamp,
      duration_ms bigint, recurrence jsonb, exceptions jsonb, start_at timestamptz, end_at timestamptz,
      series_start timestamptz, series_end timestamptz)`.execute(db);
  await sql`CREATE TABLE bench_occurrences AS SELECT * FROM jsonb_to_recordset(${JSON.stringify(occurrences)}::jsonb)
      AS t(idx int, start_at timestamptz, end_at timestamptz, summary text, location text)`.execute(db);

  await sql`INSERT INTO users (id, email, display_name)
    SELECT ${sql.raw(userId('u'))}, 'user' || u || '@bench.test', 'User ' || u
    FROM generate_series(1, ${users}::int) AS u`.execute(db);
  // The series: one row each, as event-mapper.ts maps a Google series master.
  await sql`INSERT INTO calendar_events (id, user_id, calendar_id, google_event_id, kind, summary, location,
      all_day, start_at, end_at, tzid, dtstart_local, duration_ms, recurrence, exceptions, series_start,
      series_end, etag, google_updated)
    SELECT md5('series-' || u || '-' || s.idx)::uuid, ${sql.raw(userId('u'))}, 'primary', 'series' || s.idx,
      'series', s.summary, s.location, s.all_day, s.start_at, s.end_at, s.tzid, s.dtstart_local, s.duration_ms,
      ARRAY(SELECT jsonb_array_elements_text(s.recurrence)), s.exceptions, s.series_start, s.series_end,
      '"' || (3000000000000 + u * 100 + s.idx) || '"', s.start_at
    FROM generate_series(1, ${users}::int) AS u CROSS JOIN bench_series AS s`.execute(db);
  // The singles: spread over the same 10 years at quarter-hour starts, 30 min to 2 h long.
  await sql`INSERT INTO calendar_events (id, user_id, calendar_id, google_event_id, kind, summary, location,
      start_at, end_at, etag, google_updated)
    SELECT md5('single-' || u || '-' || j)::uuid, ${sql.raw(userId('u'))}, 'primary', 'single' || j, 'single',
      'Meeting ' || j, CASE WHEN j % 3 = 0 THEN 'Room ' || (j % 7) END, t.start_at,
      t.start_at + (1 + j % 4) * interval '30 minutes', '"' || (4000000000000 + u * 1000 + j) || '"', t.start_at
    FROM generate_series(1, ${users}::int) AS u CROSS JOIN generate_series(1, ${SINGLES_PER_USER}::int) AS j
    CROSS JOIN LATERAL (SELECT ${NAIVE_FROM.toISOString()}::timestamptz
      + (abs(hashint8(u::bigint * 100003 + j)::bigint) % ${Math.round((NAIVE_TO.getTime() - NAIVE_FROM.getTime()) / 900_000)})
      * interval '15 minutes' AS start_at) AS t`.execute(db);
  return { occurrencesPerUser: occurrences.length };
}

/**
 * The naive design for users 1..n: every occurrence of the 10-year horizon a row (series replicated from the
 * expanded templates, singles copied), loaded in one transaction and then given its primary key.
 */
export async function loadNaive(db: Kysely<Database>, users: number, log: (line: string) => void) {
  const chunk = 100;
  await db.connection().execute(async (conn) => {
    await sql`BEGIN`.execute(conn);
    await sql.raw(NAIVE_TABLE_DDL).execute(conn);
    for (let first = 1; first <= users; first += chunk) {
      const last = Math.min(users, first + chunk - 1);
      const t0 = performance.now();
      await sql`INSERT INTO calendar_occurrences_naive
        SELECT ${sql.raw(userId('u'))}, md5('series-' || u || '-' || o.idx)::uuid, o.start_at, o.end_at,
          o.summary, o.location
        FROM generate_series(${first}::int, ${last}::int) AS u CROSS JOIN bench_occurrences AS o`.execute(
        conn,
      );
      log(`  naive: users ${first}–${last} loaded in ${Math.round(performance.now() - t0)} ms`);
    }
    await sql`INSERT INTO calendar_occurrences_naive
      SELECT user_id, id, start_at, end_at, summary, location FROM calendar_events
      WHERE kind = 'single' AND user_id IN (SELECT ${sql.raw(userId('u'))} FROM generate_series(1, ${users}::int) AS u)`.execute(
      conn,
    );
    const t0 = performance.now();
    await sql.raw(NAIVE_PRIMARY_KEY).execute(conn);
    log(`  naive: primary key built in ${Math.round(performance.now() - t0)} ms`);
    await sql`COMMIT`.execute(conn);
  });
}

/** The templates are scaffolding, not part of either design. */
export async function dropTemplates(db: Kysely<Database>) {
  await sql`DROP TABLE bench_series, bench_occurrences`.execute(db);
}

/** The id `loadCalendar` gives user `ordinal` (md5 as a uuid, as the SQL computes it). */
export function benchUserId(ordinal: number): string {
  const hex = createHash('md5').update(`bench-user-${ordinal}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
