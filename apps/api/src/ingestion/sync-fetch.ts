import type { NewEmail } from '../emails/email-repository.ts';
import { type MailOwner, parseGmailMessage } from '../gmail/message-parser.ts';
import type { PacedGmail } from './paced-gmail.ts';

/** Gmail advises ≤ 50 calls per batch request (GOOGLE-FACTS, Batch requests). */
export const MAX_PARTS_PER_REQUEST = 50;

/**
 * `messages.list` leaves spam and trash out (`includeSpamTrash=false`), so the backfill never stores them;
 * history reports them all, and incremental sync keeps to the same view.
 */
const HIDDEN_LABELS = new Set(['SPAM', 'TRASH']);

export interface FetchedEmails {
  emails: NewEmail[];
  /** Answered 404: deleted since history or the list named them. */
  gone: number;
  /** In spam or trash: outside the inbox's view. */
  hidden: number;
  /** Ids that must not stay stored: gone (404) or moved to spam or trash. */
  removed: string[];
  failures: { gmailId: string; reason: string }[];
}

/**
 * `messages.get(metadata)` for `ids` through Gmail batch requests of ≤ 50 parts, one request at a time (a sync
 * is small; the pacer bounds the user's rate either way), parsed into rows. Parse failures are values: they are
 * reported and skipped, and the rest is stored.
 */
export async function fetchEmails(
  gmail: PacedGmail,
  owner: MailOwner,
  ids: string[],
  partsPerRequest: number,
): Promise<FetchedEmails> {
  const size = Math.max(1, Math.min(MAX_PARTS_PER_REQUEST, partsPerRequest));
  const result: FetchedEmails = { emails: [], gone: 0, hidden: 0, removed: [], failures: [] };
  for (let i = 0; i < ids.length; i += size) {
    for (const part of await gmail.metadata(ids.slice(i, i + size))) {
      if (part.status === 404) {
        result.gone++;
        result.removed.push(part.id);
        continue;
      }
      if (part.status !== 200) {
        result.failures.push({ gmailId: part.id, reason: `messages.get answered ${part.status}` });
        continue;
      }
      const parsed = parseGmailMessage(owner, part.body);
      if (!parsed.ok)
        result.failures.push({ gmailId: part.id || parsed.gmailId || '', reason: parsed.reason });
      else if (parsed.email.label_ids?.some((label) => HIDDEN_LABELS.has(label))) {
        result.hidden++;
        result.removed.push(parsed.email.message_id);
      } else result.emails.push(parsed.email);
    }
  }
  return result;
}
