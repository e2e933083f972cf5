/**
 * What 1,000 accounts cost the emulator: startEmulator's time and memory with one account and with an account
 * set of ACCOUNTS (default 1,000) × MESSAGES (default 3,000), then the memory once every mailbox was used (a
 * messages.list page of each, in-process: mailboxes are generated on first use).
 * Run: npx tsx packages/google-emulator/bench/emulator-start.ts
 */
import { startEmulator } from '../src/index.ts';

const count = Number(process.env.ACCOUNTS ?? 1_000);
const messages = Number(process.env.MESSAGES ?? 3_000);
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function timedStart(accounts: number) {
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const emulator = await startEmulator({
    port: 0,
    latency: 'none',
    accountSets: [{ prefix: 'scale', count: accounts, minMessages: messages, maxMessages: messages }],
  });
  const ms = Math.round(performance.now() - started);
  console.log(
    `${accounts} account(s) × ${messages}: started in ${ms} ms, rss +${mb(process.memoryUsage().rss - rss)}`,
  );
  return emulator;
}

// Once first, so module loading and JIT warm-up are not charged to either figure.
await (await timedStart(1)).close();
await (await timedStart(1)).close();
const emulator = await timedStart(count);
const heap = process.memoryUsage().heapUsed;
for (let i = 0; i < count; i++) emulator.admin.gmail.list(`scale${i}@example.com`, { maxResults: '100' });
console.log(
  `every mailbox listed once: heap +${mb(process.memoryUsage().heapUsed - heap)}, rss ${mb(process.memoryUsage().rss)}`,
);
await emulator.close();
