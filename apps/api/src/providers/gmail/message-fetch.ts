import type { FetchedMail, MailAccount } from '../mail-source.ts';
import type { BatchPartResponse } from './batch-codec.ts';
import { parseGmailMessage } from './message-parser.ts';
import type { PacedGmail } from './paced-gmail.ts';

/** Gmail advises ≤ 50 calls per batch request (GOOGLE-FACTS, Batch requests). */
export const MAX_PARTS_PER_REQUEST = 50;

/**
 * `messages.list` leaves spam and trash out (`includeSpamTrash=false`), so the backfill never lists them;
 * history reports them all, and incremental sync keeps to the same view.
 */
const HIDDEN_LABELS = new Set(['SPAM', 'TRASH']);

/**
 * `messages.get(metadata)` for ≤ 50 ids in one Gmail batch request, parsed into rows. 404s are gone (deleted
 * since listing or since history named them); other statuses and parse failures are values: reported, and
 * the rest is stored.
 */
export async function fetchMessages(
  gmail: PacedGmail,
  owner: MailAccount,
  ids: string[],
): Promise<FetchedMail> {
  return mailOf(owner, await gmail.metadata(ids));
}

/** A batch's parts as rows to store, messages gone since listing, and failures with their reasons. */
export function mailOf(owner: MailAccount, parts: BatchPartResponse[]): FetchedMail {
  const result: FetchedMail = { emails: [], outOfView: [], gone: [], failures: [] };
  for (const part of parts) {
    if (part.status === 404) {
      result.gone.push(part.id);
      continue;
    }
    if (part.status !== 200) {
      result.failures.push({ messageId: part.id, reason: `messages.get answered ${part.status}` });
      continue;
    }
    const parsed = parseGmailMessage(owner, part.body);
    if (!parsed.ok) {
      // The id we asked for, else whatever the body said.
      result.failures.push({ messageId: part.id || parsed.gmailId || '', reason: parsed.reason });
      continue;
    }
    result.emails.push(parsed.email);
    if (parsed.email.label_ids?.some((label) => HIDDEN_LABELS.has(label))) {
      result.outOfView.push(parsed.email.message_id);
    }
  }
  return result;
}
