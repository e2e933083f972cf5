import type { SnapshotMessage } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { encodeEmailCursor } from '../emails/email-cursor.ts';
import { countEmails, newestEmailPosition } from '../emails/email-repository.ts';
import { accountsProgress, mailboxProgress } from '../ingestion/index.ts';

/** What a (re)connecting client needs to be exactly up to date. */
export async function buildSnapshot(db: Kysely<Database>, userId: string): Promise<SnapshotMessage> {
  const [ingestion, newest, emailCount, accounts] = await Promise.all([
    mailboxProgress(db, userId),
    newestEmailPosition(db, userId),
    countEmails(db, userId),
    accountsProgress(db, userId),
  ]);
  return {
    type: 'snapshot',
    ingestion,
    newestCursor: newest ? encodeEmailCursor(newest) : null,
    emailCount,
    accounts: accounts.map((account) => ({
      accountId: account.id,
      email: account.email,
      ingestion: account.ingestion,
    })),
  };
}
