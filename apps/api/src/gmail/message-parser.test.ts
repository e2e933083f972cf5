import { describe, expect, it } from 'vitest';
import { parseGmailMessage } from './message-parser.ts';

const user = '00000000-0000-4000-8000-000000000001';
const message = {
  id: '18c2f0a1b2c3d4e5',
  threadId: '18c2f0a1b2c3d4e0',
  labelIds: ['INBOX', 'UNREAD'],
  snippet: 'Hello there',
  sizeEstimate: 4123,
  internalDate: '1700000000000',
  payload: {
    headers: [
      { name: 'From', value: 'Ada <ada@example.com>' },
      { name: 'to', value: 'me@example.com' },
      { name: 'Subject', value: 'Plans' },
      { name: 'Received', value: 'ignored' },
    ],
  },
};

describe('parseGmailMessage', () => {
  it('maps metadata to a row, matching header names case-insensitively', () => {
    const parsed = parseGmailMessage(user, message);
    expect(parsed).toEqual({
      ok: true,
      email: {
        user_id: user,
        gmail_id: '18c2f0a1b2c3d4e5',
        thread_id: '18c2f0a1b2c3d4e0',
        internal_date: new Date(1_700_000_000_000),
        from_addr: 'Ada <ada@example.com>',
        to_addr: 'me@example.com',
        subject: 'Plans',
        snippet: 'Hello there',
        label_ids: ['INBOX', 'UNREAD'],
        size_estimate: 4123,
        parse_error: null,
      },
    });
  });

  it('keeps a message without headers', () => {
    const parsed = parseGmailMessage(user, { ...message, payload: undefined });
    expect(parsed.ok && parsed.email.subject).toBe(null);
  });

  it('strips NUL characters Postgres cannot store and flags undecodable headers', () => {
    const parsed = parseGmailMessage(user, {
      ...message,
      payload: { headers: [{ name: 'Subject', value: 'R\u0000\u00e9sum\uFFFD' }] },
    });
    expect(parsed.ok && parsed.email.subject).toBe('R\u00e9sum\uFFFD');
    expect(parsed.ok && parsed.email.parse_error).toMatch(/charset/);
  });

  it('reports a message it cannot use, with the id and the reason', () => {
    expect(parseGmailMessage(user, { ...message, internalDate: 'yesterday' })).toEqual({
      ok: false,
      gmailId: '18c2f0a1b2c3d4e5',
      reason: 'internalDate: internalDate is not epoch milliseconds',
    });
    expect(parseGmailMessage(user, null)).toMatchObject({ ok: false, gmailId: null });
  });
});
