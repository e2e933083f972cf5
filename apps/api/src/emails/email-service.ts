import type { EmailListQuery, EmailListResponse, EmailSummary } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { DomainError } from '../lib/errors.ts';
import { decodeEmailCursor, encodeEmailCursor } from './email-cursor.ts';
import { listEmailsPage } from './email-repository.ts';

/** One page of the user's inbox, newest first. Only ever the given user's rows. */
export async function listEmails(
  db: Kysely<Database>,
  userId: string,
  query: EmailListQuery,
): Promise<EmailListResponse> {
  const after = query.cursor === undefined ? undefined : decodeEmailCursor(query.cursor);
  if (query.cursor !== undefined && !after) {
    throw new DomainError(400, 'invalid_cursor', 'cursor is not one this API returned');
  }
  // One extra row tells whether another page exists without a count.
  const rows = await listEmailsPage(db, userId, query.limit + 1, after);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const emails: EmailSummary[] = page.map((row) => ({
    id: row.message_id,
    accountId: row.account_id,
    threadId: row.thread_id,
    internalDate: row.internal_date.toISOString(),
    from: row.from_addr,
    to: row.to_addr,
    subject: row.subject,
    snippet: row.snippet,
    labelIds: row.label_ids,
    sizeEstimate: row.size_estimate,
  }));
  return {
    emails,
    nextCursor:
      rows.length > query.limit && last
        ? encodeEmailCursor({
            internalDate: last.internal_date,
            accountId: last.account_id,
            messageId: last.message_id,
          })
        : null,
  };
}
