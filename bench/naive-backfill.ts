import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { upsertEmails } from '../apps/api/src/emails/email-repository.ts';
import { gmailClient, METADATA_HEADERS, parseGmailMessage } from '../apps/api/src/providers/index.ts';
import { listMessageIds, naiveSignIn } from './naive-sign-in.ts';

/** What a first version typically does: a pool of concurrent `messages.get` calls, no quota pacing. */
const CONCURRENCY = 10;
const MAX_ATTEMPTS = 6;

export interface NaiveBackfillRun {
  stored: number;
  failed: number;
  seconds: number;
}

/**
 * The naive backfill, for the benchmark's baseline: list every id, then `messages.get(metadata)` one message per
 * HTTP request from a pool of 10, as fast as the pool goes; on a 429 or 5xx, exponential backoff from 1 s
 * (`timeScale` compresses the seconds as the emulator's quota window compresses Google's minute), 6 attempts;
 * one INSERT per message. No pacer, no batch requests, no Retry-After, no shared backoff between workers.
 */
export async function naiveBackfill(
  db: Kysely<Database>,
  emulatorUrl: string,
  email: string,
  timeScale: number,
): Promise<NaiveBackfillRun> {
  const { signIn, settings } = await naiveSignIn(db, emulatorUrl, email);
  const gmail = gmailClient(signIn.oauth, settings);
  // Timed from the listing on, as ours is (its lister runs inside the measured time too).
  const startedAt = performance.now();
  const ids = await listMessageIds(gmail);

  let cursor = 0;
  let stored = 0;
  let failed = 0;
  const fetchOne = async (id: string) => {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await gmail.users.messages.get(
          { userId: 'me', id, format: 'metadata', metadataHeaders: METADATA_HEADERS },
          { retry: false },
        );
        return response.data;
      } catch (error) {
        const status = (error as { status?: number }).status;
        const retryable = status === 429 || (status !== undefined && status >= 500);
        if (!retryable || attempt + 1 >= MAX_ATTEMPTS) return undefined;
        await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt * timeScale));
      }
    }
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (cursor < ids.length) {
        const id = ids[cursor++]!;
        const body = await fetchOne(id);
        const parsed = body ? parseGmailMessage(signIn, body) : undefined;
        if (!parsed?.ok) {
          failed++;
          continue;
        }
        await upsertEmails(db, [parsed.email]);
        stored++;
      }
    }),
  );
  return { stored, failed, seconds: (performance.now() - startedAt) / 1000 };
}
