import {
  cleanText,
  GMAIL_LIMITS,
  GMAIL_REQUIRED_FIELDS,
  GmailMessageMetadata,
  parseLeniently,
} from '@firstlight/contracts';
import type { NewEmail } from '../../emails/index.ts';

/**
 * Gmail `messages.get(format=metadata)` → an `emails` row. Data from Google is parsed, not trusted: text is
 * cleaned for PostgreSQL (no NUL, no lone surrogates, bounded), a field that does not parse is left out and
 * named in `parse_error`, and only a message without a usable id or date is refused — with a reason, so its
 * batch goes on. The schema lives in packages/contracts (GmailMessageMetadata).
 */
export { GmailMessageMetadata };

/** Headers the inbox needs; ask Gmail for only these (`metadataHeaders`) to keep responses small. */
export const METADATA_HEADERS = ['From', 'To', 'Subject'];

export type ParsedMessage =
  | { ok: true; email: NewEmail }
  | { ok: false; gmailId: string | null; reason: string };

/** Whose mailbox a message is stored in: the user and the connected account it came from. */
export interface MailOwner {
  userId: string;
  accountId: string;
}

export function parseGmailMessage(owner: MailOwner, raw: unknown): ParsedMessage {
  const parsed = parseLeniently(GmailMessageMetadata, raw, GMAIL_REQUIRED_FIELDS);
  if (!parsed.ok) return { ok: false, gmailId: rawId(raw), reason: parsed.reason };
  const message = parsed.data;
  const notes = [...parsed.dropped];
  const header = (name: string) => {
    const value = message.payload?.headers?.find(
      (candidate) => candidate.name.toLowerCase() === name.toLowerCase(),
    )?.value;
    return value === undefined ? null : cleanText(value, GMAIL_LIMITS.header);
  };
  const from = header('From');
  const to = header('To');
  const subject = header('Subject');
  // U+FFFD in a header means Google could not decode its charset: keep what we can, and say so.
  if ([from, to, subject].some((value) => value?.includes('\uFFFD'))) {
    notes.push('a header was not valid in its declared charset');
  }
  // Every message has a thread; one without a readable threadId is shown as a thread of its own.
  if (!message.threadId) notes.push('threadId missing: shown as its own thread');
  return {
    ok: true,
    email: {
      user_id: owner.userId,
      account_id: owner.accountId,
      message_id: message.id,
      thread_id: message.threadId ?? message.id,
      internal_date: new Date(Number(message.internalDate)),
      from_addr: from,
      to_addr: to,
      subject,
      snippet: message.snippet ?? null,
      label_ids: message.labelIds ?? [],
      size_estimate: message.sizeEstimate ?? null,
      parse_error: notes.length > 0 ? notes.join('; ').slice(0, 1000) : null,
    },
  };
}

/** The id of a message that did not parse, if it has one worth naming (the failures table cleans it). */
function rawId(raw: unknown): string | null {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : null;
}
