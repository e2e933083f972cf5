/**
 * Hostile recurrence (issue 15): a calendar holding `FREQ=SECONDLY;COUNT=10000000` (one-second events) beside
 * the emulator's generated calendar (50 series, 320 singles). Figures: the calendar sync's time with it against
 * another generated calendar of about the same size without it (and the longest event-loop block of its
 * sync); then free/busy over it asked REQUESTS (default 40) times in a row, each over a 2-day and a 92-day window (the longest the API takes), while a client polls /healthz over HTTP without pause:
 * the free/busy answer time, /healthz p50/p95/max, and the API process's longest event-loop block
 * (`perf_hooks.monitorEventLoopDelay`, 1 ms resolution). The emulator runs in this process (no latency) but
 * does no work during the free/busy phase.
 *   npm run bench -- hostile-recurrence
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { signInOverHttp } from './sign-in-http.ts';
import { percentile, printTable, startBenchProduct, writeResult } from './support.ts';

const requests = Number(process.env.REQUESTS ?? 40);
const ANCHOR = Date.UTC(2026, 2, 1);
const HOSTILE = 'hostile@example.com';
const PLAIN = 'plain@example.com';
/** Synced first and not reported: the first sync in a process also loads and compiles its code. */
const WARMUP = 'warmup@example.com';
const SECONDLY_START = Date.UTC(2026, 2, 9, 8);

const product = await startBenchProduct(
  {
    accounts: [
      { email: HOSTILE, mailboxSize: 20 },
      { email: PLAIN, mailboxSize: 20 },
      { email: WARMUP, mailboxSize: 20 },
    ],
    autoApprove: true,
    latency: 'none',
    anchor: ANCHOR,
  },
  {},
  { backfill: true },
);
try {
  // Same seed and account shape: the two calendars differ by their generated content only in the ids and zones
  // drawn for the email, so the plain one is a second calendar of the same size, synced the same way.
  const insert = await fetch(
    `${product.emulator.url}/admin/calendar/${HOSTILE}/calendars/${HOSTILE}/events`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'hostilesec0',
        summary: 'invitation',
        start: { dateTime: new Date(SECONDLY_START).toISOString(), timeZone: 'UTC' },
        end: { dateTime: new Date(SECONDLY_START + 1000).toISOString(), timeZone: 'UTC' },
        recurrence: ['RRULE:FREQ=SECONDLY;COUNT=10000000'],
      }),
    },
  );
  if (insert.status !== 200) throw new Error(`seeding answered ${insert.status}: ${await insert.text()}`);

  const syncMs = async (email: string) => {
    const { cookie } = await signInOverHttp(product.url, email);
    const began = performance.now();
    const calendars = (
      (await (await fetch(`${product.emulator.url}/admin/calendar/${email}`)).json()) as {
        calendars: unknown[];
      }
    ).calendars.length;
    for (;;) {
      const synced = await product.db
        .selectFrom('sync_state')
        .innerJoin('accounts', 'accounts.id', 'sync_state.account_id')
        .select('sync_state.resource')
        .where('accounts.email', '=', email)
        .where('sync_state.resource', 'like', 'calendar:%')
        .where('sync_state.cursor', 'is not', null)
        .execute();
      if (synced.length === calendars) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The sync starts inside the callback's request; the callback's own time is in `ttfd`.
    return { cookie, ms: performance.now() - began };
  };
  await syncMs(WARMUP);
  const syncDelay = monitorEventLoopDelay({ resolution: 1 });
  syncDelay.enable();
  const hostile = await syncMs(HOSTILE);
  syncDelay.disable();
  const plain = await syncMs(PLAIN);
  const rowsOf = async (email: string) =>
    (
      await product.db
        .selectFrom('calendar_events')
        .innerJoin('users', 'users.id', 'calendar_events.user_id')
        .select(product.db.fn.countAll<number>().as('n'))
        .where('users.email', '=', email)
        .executeTakeFirstOrThrow()
    ).n;
  const rows = await product.db
    .selectFrom('calendar_events')
    .select(['series_start', 'series_end'])
    .where('google_event_id', '=', 'hostilesec0')
    .executeTakeFirstOrThrow();

  const windows = {
    '2d': [new Date(Date.UTC(2026, 2, 9)), new Date(Date.UTC(2026, 2, 11))],
    '92d': [new Date(Date.UTC(2026, 2, 1)), new Date(Date.UTC(2026, 5, 1))],
  } as const;
  const figures: Record<string, number> = {
    sync_ms: Math.round(hostile.ms),
    sync_plain_ms: Math.round(plain.ms),
    sync_loop_delay_max_ms: Math.round(syncDelay.max / 1e5) / 10,
  };
  const table: [string, string | number][] = [
    [
      'calendar sync with the SECONDLY series / without (ms)',
      `${figures.sync_ms} / ${figures.sync_plain_ms}`,
    ],
    ['  rows stored, with / without', `${await rowsOf(HOSTILE)} / ${await rowsOf(PLAIN)}`],
    ['  event-loop delay max during that sync (ms)', figures.sync_loop_delay_max_ms!],
    [
      'stored bounds of the series',
      `${rows.series_start?.toISOString()} – ${rows.series_end?.toISOString()}`,
    ],
  ];
  for (const [name, [from, to]] of Object.entries(windows)) {
    const url = `${product.url}/api/calendar/busy?from=${from.toISOString()}&to=${to.toISOString()}`;
    const ask = async () => {
      const began = performance.now();
      const response = await fetch(url, { headers: { cookie: hostile.cookie } });
      if (response.status !== 200) throw new Error(`busy answered ${response.status}`);
      await response.arrayBuffer();
      return performance.now() - began;
    };
    await ask(); // warm-up: the first call in the process compiles the rule
    const delay = monitorEventLoopDelay({ resolution: 1 });
    let done = false;
    const health: number[] = [];
    const poller = (async () => {
      while (!done) {
        const began = performance.now();
        const response = await fetch(`${product.url}/healthz`);
        await response.arrayBuffer();
        health.push(performance.now() - began);
      }
    })();
    delay.enable();
    const busyMs: number[] = [];
    for (let i = 0; i < requests; i++) busyMs.push(await ask());
    done = true;
    await poller;
    delay.disable();
    const f = (key: string, value: number) => {
      figures[`${key}_${name}`] = Math.round(value * 10) / 10;
    };
    f('busy_p50_ms', percentile(busyMs, 50));
    f('busy_p95_ms', percentile(busyMs, 95));
    f('healthz_p50_ms', percentile(health, 50));
    f('healthz_p95_ms', percentile(health, 95));
    f('healthz_max_ms', Math.max(...health));
    f('healthz_requests', health.length);
    f('loop_delay_max_ms', delay.max / 1e6);
    f('loop_delay_p99_ms', delay.percentile(99) / 1e6);
    table.push(
      [
        `free/busy ${name}, answer p50 / p95 (ms)`,
        `${figures[`busy_p50_ms_${name}`]} / ${figures[`busy_p95_ms_${name}`]}`,
      ],
      [
        `  /healthz meanwhile p50 / p95 / max (ms), n`,
        `${figures[`healthz_p50_ms_${name}`]} / ${figures[`healthz_p95_ms_${name}`]} / ${figures[`healthz_max_ms_${name}`]}, ${health.length}`,
      ],
      [
        `  event-loop delay p99 / max (ms)`,
        `${figures[`loop_delay_p99_ms_${name}`]} / ${figures[`loop_delay_max_ms_${name}`]}`,
      ],
    );
  }
  figures.requests = requests;
  printTable(`hostile-recurrence — FREQ=SECONDLY;COUNT=10000000 beside 50 series + 320 singles`, table);
  // Issue 15's figures before the work budget (not re-run: that code never returns on COUNT=10000000).
  await writeResult('hostile-recurrence', figures, {
    busy_2d_ms_before: 11_700,
    healthz_wait_ms_before: 10_700,
  });
} finally {
  await product.close();
}
