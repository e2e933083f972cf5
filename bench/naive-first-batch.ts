import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { upsertEmails } from '../apps/api/src/emails/email-repository.ts';
import { batchGetMessageMetadata, gmailClient, parseGmailMessage } from '../apps/api/src/providers/index.ts';
import { listMessageIds, naiveSignIn } from './naive-sign-in.ts';

/** The naive design's first screen: the whole first backfill batch, stored before the user sees anything. */
const FIRST_BATCH = 1000;
const PARTS_PER_REQUEST = 50; // Gmail advises ≤ 50 calls per batch request
/** Generous to the naive design: twice our backfill's requests in flight, well under Google's per-user cap. */
const REQUESTS_IN_FLIGHT = 4;

/**
 * The naive callback, built from the product's own parts so only the design differs: the same code exchange and
 * id_token check (`completeSignIn`), then `messages.list` pages until 1000 ids, all 1000 fetched with
 * `messages.get(metadata)` in Gmail batch requests and stored before the redirect. Returns the time from the
 * callback's start (before the code exchange, as `first_data_ms` is measured) to the 1000th message stored.
 */
export async function naiveCallbackMs(
  db: Kysely<Database>,
  emulatorUrl: string,
  email: string,
): Promise<number> {
  const { startedAt, signIn, settings } = await naiveSignIn(db, emulatorUrl, email);
  const gmail = gmailClient(signIn.oauth, settings);
  const ids = await listMessageIds(gmail, FIRST_BATCH);

  let cursor = 0;
  let stored = 0;
  await Promise.all(
    Array.from({ length: REQUESTS_IN_FLIGHT }, async () => {
      while (cursor < ids.length) {
        const chunk = ids.slice(cursor, cursor + PARTS_PER_REQUEST);
        cursor += PARTS_PER_REQUEST;
        const parts = await batchGetMessageMetadata(signIn.oauth, settings, chunk);
        const emails = parts.flatMap((part) => {
          const parsed = part.status === 200 ? parseGmailMessage(signIn, part.body) : undefined;
          return parsed?.ok ? [parsed.email] : [];
        });
        const inserted = await upsertEmails(db, emails); // not `stored += await …`: workers interleave
        stored += inserted;
      }
    }),
  );
  const elapsed = performance.now() - startedAt;
  if (stored < Math.min(FIRST_BATCH, ids.length)) {
    throw new Error(`naive sign-in of ${email} stored ${stored} of ${ids.length}`);
  }
  return elapsed;
}
