/**
 * Memory of the Gmail emulation with a 1,000,000-message mailbox: lists 20 pages (10 chained from the
 * start, 10 at random dates) and gets 200 random old messages through the real client, then prints RSS.
 * Run: npx tsx packages/google-emulator/bench/emulator-rss.ts
 */
import { account, startGmailHarness } from '../test/gmail-harness.ts';

const SIZE = 1_000_000;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main() {
  const started = performance.now();
  const harness = await startGmailHarness([account('big@example.com', 2026, SIZE)]);
  const api = harness.client('big@example.com');
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < 10; page++) {
    const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500, pageToken });
    ids.push(...data.messages!.map((m) => m.id!));
    pageToken = data.nextPageToken ?? undefined;
  }
  // Random offsets: a page starting at a random day within the mailbox's six years.
  const newest = Number(
    (await api.users.messages.get({ userId: 'me', id: ids[0]!, format: 'minimal' })).data.internalDate,
  );
  for (let page = 0; page < 10; page++) {
    const before = Math.floor((newest - Math.random() * 6 * 365 * 86_400_000) / 1000);
    const { data } = await api.users.messages.list({ userId: 'me', maxResults: 500, q: `before:${before}` });
    ids.push(...(data.messages ?? []).map((m) => m.id!));
  }
  let bytes = 0;
  for (let k = 0; k < 200; k++) {
    const id = ids[5000 + Math.floor(Math.random() * (ids.length - 5000))]!;
    const { data } = await api.users.messages.get({ userId: 'me', id, format: k % 4 === 0 ? 'raw' : 'full' });
    bytes += JSON.stringify(data).length;
  }
  const profile = await api.users.getProfile({ userId: 'me' });
  await harness.close();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`mailbox: ${profile.data.messagesTotal} messages, ${profile.data.threadsTotal} threads`);
  console.log(
    `listed ${ids.length} ids in 20 pages, got 200 messages (${mb(bytes)} MB of JSON) in ${seconds} s`,
  );
  console.log(
    `rss: ${mb(process.memoryUsage().rss)} MB, max rss: ${(process.resourceUsage().maxRSS / 1024).toFixed(1)} MB`,
  );
}

await main();
