import { z } from 'zod';
import type { NewEmail } from '../emails/email-repository.ts';

/**
 * Gmail `messages.get(format=metadata)` as we rely on it. Data from Google is parsed, not trusted: a message
 * that does not fit is reported with a reason and skipped, and its batch goes on.
 */
const GmailHeader = z.object({ name: z.string(), value: z.string() });
export const GmailMessageMetadata = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  threadId: z.string().min(1).max(64),
  labelIds: z.array(z.string()).optional(),
  snippet: z.string().optional(),
  sizeEstimate: z.number().int().nonnegative().optional(),
  // Epoch milliseconds as a decimal string (int64 in Google's discovery document).
  internalDate: z.string().regex(/^\d{1,15}$/, 'internalDate is not epoch milliseconds'),
  payload: z.object({ headers: z.array(GmailHeader).optional() }).optional(),
});
export type GmailMessageMetadata = z.infer<typeof GmailMessageMetadata>;

/** Headers the inbox needs; ask Gmail for only these (`metadataHeaders`) to keep responses small. */
export const METADATA_HEADERS = ['From', 'To', 'Subject'];

// Postgres text cannot hold NUL; cap lengths so one pathological header cannot bloat a row.
const MAX_HEADER_CHARS = 2000;
const clean = (value: string | undefined) =>
  value === undefined ? null : value.replaceAll('\u0000', '').slice(0, MAX_HEADER_CHARS);

export type ParsedMessage =
  | { ok: true; email: NewEmail }
  | { ok: false; gmailId: string | null; reason: string };

export function parseGmailMessage(userId: string, raw: unknown): ParsedMessage {
  const parsed = GmailMessageMetadata.safeParse(raw);
  if (!parsed.success) {
    const id =
      typeof raw === 'object' && raw !== null && 'id' in raw ? String((raw as { id: unknown }).id) : null;
    const issue = parsed.error.issues[0];
    return { ok: false, gmailId: id, reason: `${issue?.path.join('.') || 'message'}: ${issue?.message}` };
  }
  const message = parsed.data;
  const header = (name: string) =>
    message.payload?.headers?.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase())?.value;
  const subject = header('Subject');
  // U+FFFD in a header means Google could not decode its charset: keep what we can, and say so.
  const undecodable = [header('From'), header('To'), subject].some((value) => value?.includes('\uFFFD'));
  return {
    ok: true,
    email: {
      user_id: userId,
      gmail_id: message.id,
      thread_id: message.threadId,
      internal_date: new Date(Number(message.internalDate)),
      from_addr: clean(header('From')),
      to_addr: clean(header('To')),
      subject: clean(subject),
      snippet: clean(message.snippet),
      label_ids: message.labelIds ?? [],
      size_estimate: message.sizeEstimate ?? null,
      parse_error: undecodable ? 'a header was not valid in its declared charset' : null,
    },
  };
}
