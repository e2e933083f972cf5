import { describe, expect, it } from 'vitest';
import { parseGmailMessage } from './message-parser.ts';

const user = {
  userId: '00000000-0000-4000-8000-000000000001',
  accountId: '00000000-0000-4000-8000-0000000000a1',
};
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
        user_id: user.userId,
        account_id: user.accountId,
        message_id: '18c2f0a1b2c3d4e5',
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

describe('parseGmailMessage: hostile values (issue 14)', () => {
  it('cleans NUL from labels and drops labels left empty', () => {
    const parsed = parseGmailMessage(user, { ...message, labelIds: ['INBOX', 'La\u0000bel', '\u0000'] });
    expect(parsed.ok && parsed.email.label_ids).toEqual(['INBOX', 'Label']);
  });

  it('stores a message whose threadId is not an id as its own thread, and says so', () => {
    const parsed = parseGmailMessage(user, { ...message, threadId: 'abc\u0000def' });
    expect(parsed.ok && parsed.email.thread_id).toBe(message.id);
    expect(parsed.ok && parsed.email.parse_error).toMatch(/^threadId: not a Gmail id; threadId missing/);
  });

  it('keeps sizes past 2^31 exactly and leaves out sizes a JS number cannot hold exactly', () => {
    const big = parseGmailMessage(user, { ...message, sizeEstimate: 2 ** 31 });
    expect(big.ok && big.email.size_estimate).toBe(2 ** 31);
    const huge = parseGmailMessage(user, { ...message, sizeEstimate: 2 ** 53 });
    expect(huge.ok && huge.email.size_estimate).toBe(null);
    expect(huge.ok && huge.email.parse_error).toMatch(/^sizeEstimate: /);
    const negative = parseGmailMessage(user, { ...message, sizeEstimate: -1 });
    expect(negative.ok && negative.email.size_estimate).toBe(null);
  });

  it('replaces lone surrogates (jsonb refuses them) and bounds huge text without splitting a pair', () => {
    const parsed = parseGmailMessage(user, { ...message, snippet: `\ud800${'😀'.repeat(5000)}` });
    const snippet = parsed.ok ? (parsed.email.snippet ?? '') : '';
    expect(snippet.startsWith('\uFFFD😀')).toBe(true);
    expect(snippet.length).toBeLessThanOrEqual(2000);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(snippet)).toBe(
      false,
    );
  });

  it('loses only a malformed header, or the field of the wrong type, not the message', () => {
    const parsed = parseGmailMessage(user, {
      ...message,
      labelIds: 'INBOX',
      payload: { headers: [{ name: 'From', value: 7 }, null, { name: 'Subject', value: 'Plans' }] },
    });
    expect(parsed).toMatchObject({
      ok: true,
      email: {
        from_addr: null,
        subject: 'Plans',
        label_ids: [],
        parse_error: expect.stringMatching(/^labelIds: /),
      },
    });
  });

  it('refuses what has no usable id or date, naming the field and never the value', () => {
    expect(parseGmailMessage(user, { ...message, id: 'a\u0000b' })).toEqual({
      ok: false,
      gmailId: 'a\u0000b',
      reason: 'id: not a Gmail id',
    });
    expect(parseGmailMessage(user, [message])).toMatchObject({ ok: false, gmailId: null, reason: /^item: / });
    expect(parseGmailMessage(user, { ...message, internalDate: 1_700_000_000_000 })).toMatchObject({
      ok: false,
      reason: /^internalDate: /,
    });
  });
});
