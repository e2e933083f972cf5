import type { SnapshotMessage } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { countEmails, encodeEmailCursor, newestEmailPosition } from '../emails/index.ts';

/**
 * The user's mailbox progress: the latest job and every account's own. Read by ingestion and passed in by the
 * app, so realtime (which ingestion publishes through) does not depend on ingestion.
 */
export type SnapshotProgress = (
  userId: string,
) => Promise<Pick<SnapshotMessage, 'ingestion'> & { accounts: ConnectedAccountProgress[] }>;

interface ConnectedAccountProgress {
  id: string;
  email: string;
  ingestion: SnapshotMessage['ingestion'];
}

/** What a (re)connecting client needs to be exactly up to date. */
export async function buildSnapshot(
  db: Kysely<Database>,
  progressOf: SnapshotProgress,
  userId: string,
): Promise<SnapshotMessage> {
  const [progress, newest, emailCount] = await Promise.all([
    progressOf(userId),
    newestEmailPosition(db, userId),
    countEmails(db, userId),
  ]);
  return {
    type: 'snapshot',
    ingestion: progress.ingestion,
    newestCursor: newest ? encodeEmailCursor(newest) : null,
    emailCount,
    accounts: progress.accounts.map((account) => ({
      accountId: account.id,
      email: account.email,
      ingestion: account.ingestion,
    })),
  };
}
