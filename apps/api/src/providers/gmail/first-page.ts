import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { storeEmails } from '../../emails/index.ts';
import type { GoogleSettings, OAuth2Client } from '../../google/index.ts';
import { batchGetMessageMetadata, gmailClient } from './gmail-api.ts';
import { type ParsedMessage, parseGmailMessage } from './message-parser.ts';

/** The failure reason of a message deleted since listing: not recorded as a failure. */
export const GONE = 'messages.get answered 404';

export interface FirstPageResult {
  /** Ids Gmail listed, newest first. */
  listedIds: string[];
  stored: number;
  /** Unparseable, refused by the database, or deleted since listing (`GONE`). */
  failed: { gmailId: string | null; reason: string }[];
  /** getProfile's messagesTotal: the progress bar's denominator from the first second. */
  messagesTotal: number | null;
  /**
   * The largest historyId among the stored messages (Gmail: "keep the historyId of the newest message"): any
   * change after they were read has a larger id, so incremental sync from here misses nothing of the first page.
   */
  newestHistoryId: string | null;
}

/**
 * The priority path (ARCHITECTURE §3 step 3): the N newest messages with two Google round trips — one
 * `messages.list` (with `getProfile` alongside, for the total) and one batch of `messages.get(metadata)` —
 * then one multi-row upsert. Messages that fail (deleted since listing, unparseable, refused by the database)
 * are reported, not fatal (the caller records all but the deleted ones, `GONE`, in `ingest_failures`).
 */
export async function fetchFirstPage(deps: {
  db: Kysely<Database>;
  oauth: OAuth2Client;
  settings: GoogleSettings;
  userId: string;
  accountId: string;
  pageSize: number;
}): Promise<FirstPageResult> {
  const gmail = gmailClient(deps.oauth, deps.settings);
  const [list, profile] = await Promise.all([
    gmail.users.messages.list({ userId: 'me', maxResults: deps.pageSize }),
    gmail.users.getProfile({ userId: 'me' }).catch(() => undefined), // the total is nice to have, not required
  ]);
  const listedIds = (list.data.messages ?? [])
    .map((message) => message.id)
    .filter((id): id is string => !!id);
  // Two concurrent batches of ≤ 25 instead of one of 50: Google works through a batch's parts a few at a time,
  // so halving the parts per request roughly halves the wait, at the same quota cost.
  const chunks = chunk(listedIds, FIRST_PAGE_PARTS_PER_BATCH);
  const parts = (
    await Promise.all(chunks.map((ids) => batchGetMessageMetadata(deps.oauth, deps.settings, ids)))
  ).flat();

  const parsed: ParsedMessage[] = parts.map((part) =>
    part.status === 200
      ? parseGmailMessage(deps, part.body)
      : {
          ok: false,
          gmailId: part.id,
          reason: part.status === 404 ? GONE : `messages.get answered ${part.status}`,
        },
  );
  const emails = parsed.flatMap((result) => (result.ok ? [result.email] : []));
  const { stored, refused } = await storeEmails(deps.db, emails);
  const failed = [
    ...parsed.flatMap((result) => (result.ok ? [] : [{ gmailId: result.gmailId, reason: result.reason }])),
    ...refused,
  ];
  return {
    listedIds,
    stored,
    failed,
    messagesTotal: profile?.data.messagesTotal ?? null,
    newestHistoryId: largestHistoryId(parts.flatMap((part) => (part.status === 200 ? [part.body] : []))),
  };
}

const FIRST_PAGE_PARTS_PER_BATCH = 25;

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
