/**
 * Keyset cursor over (internal_date, account_id, message_id), newest first, across all of a user's accounts:
 * opaque to clients (base64url of `<epoch ms>:<account id>:<message id>`), so its shape can change without
 * breaking them.
 */
export interface EmailPosition {
  internalDate: Date;
  accountId: string;
  messageId: string;
}

export function encodeEmailCursor(position: EmailPosition): string {
  const text = `${position.internalDate.getTime()}:${position.accountId}:${position.messageId}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

const CURSOR =
  /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9_-]{1,64})$/;

/** Undefined when the text is not a cursor this API issued. */
export function decodeEmailCursor(cursor: string): EmailPosition | undefined {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return undefined;
  return { internalDate: new Date(Number(match[1])), accountId: match[2]!, messageId: match[3]! };
}
