/**
 * Keyset cursor over (internal_date, gmail_id), newest first: opaque to clients (base64url of
 * `<epoch ms>:<gmail id>`), so its shape can change without breaking them.
 */
export interface EmailPosition {
  internalDate: Date;
  gmailId: string;
}

export function encodeEmailCursor(position: EmailPosition): string {
  return Buffer.from(`${position.internalDate.getTime()}:${position.gmailId}`, 'utf8').toString('base64url');
}

/** Undefined when the text is not a cursor this API issued. */
export function decodeEmailCursor(cursor: string): EmailPosition | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!match) return undefined;
  return { internalDate: new Date(Number(match[1])), gmailId: match[2]! };
}
