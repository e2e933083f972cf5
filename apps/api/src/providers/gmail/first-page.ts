import type { FirstMailPage, MailAccount } from '../mail-source.ts';
import { mailOf } from './message-fetch.ts';
import type { PacedGmail } from './paced-gmail.ts';

/**
 * The priority path (ARCHITECTURE §3 step 3): the N newest messages in two Google round trips — one
 * `messages.list` (with `getProfile` alongside, for the total) and one round of `messages.get(metadata)`
 * batch requests. Every call goes through the pacing the core gave (the quota's interactive class).
 */
export async function firstPageOf(
  gmail: PacedGmail,
  account: MailAccount,
  pageSize: number,
): Promise<FirstMailPage> {
  const [list, profile] = await Promise.all([
    gmail.listPage(null, pageSize),
    gmail.profile().catch(() => undefined), // the total is nice to have, not required
  ]);
  const listedIds = (list.messages ?? []).flatMap((message) => (message.id ? [message.id] : []));
  // Two concurrent batches of ≤ 25 instead of one of 50: Google works through a batch's parts a few at a time,
  // so halving the parts per request roughly halves the wait, at the same quota cost.
  const parts = (
    await Promise.all(chunk(listedIds, PARTS_PER_BATCH).map((ids) => gmail.metadata(ids)))
  ).flat();
  return {
    listedIds,
    fetched: mailOf(account, parts),
    totalEstimate: profile?.messagesTotal ?? null,
    // Gmail: "keep the historyId of the newest message".
    cursor: largestHistoryId(parts.flatMap((part) => (part.status === 200 ? [part.body] : []))),
  };
}

const PARTS_PER_BATCH = 25;

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

function largestHistoryId(bodies: unknown[]): string | null {
  let largest: bigint | null = null;
  for (const body of bodies) {
    const value = (body as { historyId?: unknown } | null)?.historyId;
    if (typeof value !== 'string' || !/^\d+$/.test(value)) continue;
    const id = BigInt(value);
    if (largest === null || id > largest) largest = id;
  }
  return largest === null ? null : largest.toString();
}
