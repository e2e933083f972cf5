/**
 * The emulator's own CPU per call, in its own process (as the load and scale benchmarks run it): ACCOUNTS
 * (default 1,000) accounts of 300–3,000 messages; USERS (default 200) of them each list PAGES pages of 100 and
 * fetch every listed message's metadata in batches of 100, as the product's backfill does — CONCURRENCY users
 * at a time. Figures: emulator CPU ms per 1,000 messages.get served (batched) and per 1,000 messages.list calls,
 * from /proc (bench/process-cpu.ts). Latency and quota are off: only the emulator's work is measured.
 *   npx tsx bench/emulator-cpu.ts    CPU_PROF=/tmp/prof npx tsx bench/emulator-cpu.ts
 *         ACCOUNTS=1000 USERS=200 PAGES=2 CONCURRENCY=8 npx tsx bench/emulator-cpu.ts
 */
import { readFileSync } from 'node:fs';
import { startEmulatorProcess } from './emulator-process.ts';
import { pidOf, startCpuMeter } from './process-cpu.ts';

const accounts = Number(process.env.ACCOUNTS ?? 1_000);
const users = Math.min(accounts, Number(process.env.USERS ?? 200));
const pages = Number(process.env.PAGES ?? 2);
const concurrency = Number(process.env.CONCURRENCY ?? 8);
const HEADERS = [
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'In-Reply-To',
  'References',
  'List-Unsubscribe',
];

const startedAt = performance.now();
const emulator = await startEmulatorProcess(
  [`--accounts-pattern=cpu{0..${accounts - 1}}@example.com:300-3000`, '--latency=none', '--no-quota'],
  // CPU_PROF=<dir>: a .cpuprofile of the emulator's process, to see where its time goes.
  process.env.CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF}`] : [],
);
const startMs = Math.round(performance.now() - startedAt);
/** The emulator's resident memory now and at its peak (MB), from /proc/<pid>/status. */
function memoryMb(): string {
  try {
    const status = readFileSync(`/proc/${emulator.pid}/status`, 'utf8');
    const mb = (field: string) =>
      Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024);
    return `rss ${mb('VmRSS')} MB, peak ${mb('VmHWM')} MB`;
  } catch {
    return 'rss unknown';
  }
}

async function tokenOf(email: string): Promise<string> {
  const response = await fetch(`${emulator.url}/admin/accounts/${email}/tokens`, { method: 'POST' });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function listPage(token: string, pageToken?: string) {
  const query = new URLSearchParams({ maxResults: '100', ...(pageToken ? { pageToken } : {}) });
  const response = await fetch(`${emulator.url}/gmail/v1/users/me/messages?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await response.json()) as { messages?: { id: string }[]; nextPageToken?: string };
}

async function batchGet(token: string, ids: string[]): Promise<number> {
  const boundary = 'batch_bench';
  const query = ['format=metadata', ...HEADERS.map((name) => `metadataHeaders=${name}`)].join('&');
  const body = `${ids
    .map(
      (id) =>
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <${id}>\r\n\r\nGET /gmail/v1/users/me/messages/${id}?${query} HTTP/1.1\r\n\r\n`,
    )
    .join('')}--${boundary}--\r\n`;
  const response = await fetch(`${emulator.url}/batch/gmail/v1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/mixed; boundary=${boundary}` },
    body,
  });
  const text = await response.text();
  return text.split('HTTP/1.1 200').length - 1;
}

/** One user's backfill slice: PAGES list pages, each followed by one batch get of its ids. */
async function backfill(email: string) {
  const token = await tokenOf(email);
  let pageToken: string | undefined;
  let lists = 0;
  let gets = 0;
  for (let page = 0; page < pages; page++) {
    const listed = await listPage(token, pageToken);
    lists++;
    gets += await batchGet(
      token,
      (listed.messages ?? []).map((message) => message.id),
    );
    pageToken = listed.nextPageToken;
    if (!pageToken) break;
  }
  return { lists, gets };
}

async function run(emails: string[]) {
  let next = 0;
  const totals = { lists: 0, gets: 0 };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < emails.length) {
        const done = await backfill(emails[next++]!);
        totals.lists += done.lists;
        totals.gets += done.gets;
      }
    }),
  );
  return totals;
}

/** List-only pass: what one messages.list costs the emulator. */
async function listOnly(emails: string[]) {
  let calls = 0;
  for (const email of emails) {
    const token = await tokenOf(email);
    for (let k = 0; k < 5; k++) {
      await listPage(token);
      calls++;
    }
  }
  return calls;
}

try {
  const startMemory = memoryMb();
  const emails = Array.from({ length: users }, (_, i) => `cpu${i}@example.com`);
  const listMeter = startCpuMeter({ emulator: pidOf(emulator.pid) });
  const lists = await listOnly(emails.slice(0, 50));
  const listCpu = listMeter.stop().emulator!.cpu_s;
  const meter = startCpuMeter({ emulator: pidOf(emulator.pid) });
  const totals = await run(emails);
  const cpu = meter.stop();
  const batchCpuMs = cpu.emulator!.cpu_s * 1000;
  console.log(`emulator started in ${startMs} ms with ${accounts} accounts (process spawn and tsx included)`);
  console.log(`emulator memory at the start: ${startMemory}; after the run: ${memoryMb()}`);
  console.log(
    `list only: ${lists} messages.list calls, ${Math.round(listCpu * 1000)} ms CPU → ${Math.round((listCpu * 1e6) / lists)} ms per 1,000 calls`,
  );
  console.log(
    `backfill: ${totals.lists} lists + ${totals.gets} batched gets by ${users} users, ${Math.round(batchCpuMs)} ms emulator CPU over ${cpu.interval_s} s (${cpu.emulator!.pct_core} % of a core)`,
  );
  const perThousandGets = (cpuMs: number, done: { lists: number; gets: number }) =>
    Math.round((cpuMs - (done.lists * listCpu * 1000) / lists) / (done.gets / 1000));
  console.log(
    `  → ${perThousandGets(batchCpuMs, totals)} ms CPU per 1,000 messages.get (lists' share taken out)`,
  );
  // The same users again: every message was rendered before (a retry, the backfill re-reading the first page).
  const again = startCpuMeter({ emulator: pidOf(emulator.pid) });
  const repeated = await run(emails);
  const againMs = again.stop().emulator!.cpu_s * 1000;
  console.log(
    `  → ${perThousandGets(againMs, repeated)} ms CPU per 1,000 messages.get fetched a second time`,
  );
} finally {
  await emulator.close();
}
