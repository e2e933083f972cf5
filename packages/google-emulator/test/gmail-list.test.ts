import { afterEach, describe, expect, it } from 'vitest';
import { account, type GmailHarness, listAll, startGmailHarness, TEST_ANCHOR } from './gmail-harness.ts';

const ANN = 'ann@example.com';
let harness: GmailHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('messages.list', () => {
  it('is deterministic per seed and differs across seeds', async () => {
    harness = await startGmailHarness([account(ANN, 7, 300), account('bob@example.com', 8, 300)]);
    const first = await harness.client(ANN).users.messages.list({ userId: 'me', maxResults: 50 });
    const other = await startGmailHarness([account(ANN, 7, 300)]);
    try {
      const again = await other.client(ANN).users.messages.list({ userId: 'me', maxResults: 50 });
      expect(again.data).toEqual(first.data);
      const id = first.data.messages![3]!.id!;
      const [a, b] = await Promise.all([
        harness.client(ANN).users.messages.get({ userId: 'me', id }),
        other.client(ANN).users.messages.get({ userId: 'me', id }),
      ]);
      expect(b.data).toEqual(a.data);
    } finally {
      await other.close();
    }
    const bob = await harness.client('bob@example.com').users.messages.list({ userId: 'me', maxResults: 50 });
    expect(bob.data.messages!.map((m) => m.id)).not.toEqual(first.data.messages!.map((m) => m.id));
  });

  it('pages a 2,500-message mailbox newest first, visiting every message once', async () => {
    harness = await startGmailHarness([account(ANN, 11, 2500)]);
    const api = harness.client(ANN);
    const { ids, pages } = await listAll(api, { maxResults: 500, includeSpamTrash: true });
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(pages).toBe(5);
    // Ids lead with the date in hex: strictly decreasing ids mean strictly newest first.
    for (let k = 1; k < ids.length; k++) expect(ids[k]! < ids[k - 1]!).toBe(true);
    const dates = await Promise.all(
      [0, 1, 1000, 2499].map(async (k) => {
        const { data } = await api.users.messages.get({ userId: 'me', id: ids[k]!, format: 'minimal' });
        return Number(data.internalDate);
      }),
    );
    expect(dates[0]).toBeLessThan(TEST_ANCHOR);
    expect(dates[0]! - dates[3]!).toBeGreaterThan(3 * 365 * 86_400_000);
    expect([...dates].sort((x, y) => y - x)).toEqual(dates);
  });

  it('excludes spam and trash unless includeSpamTrash, and clamps maxResults at 500', async () => {
    harness = await startGmailHarness([account(ANN, 12, 2500)]);
    const api = harness.client(ANN);
    const everything = await listAll(api, { maxResults: 500, includeSpamTrash: true });
    const visible = await listAll(api, { maxResults: 500 });
    expect(visible.ids.length).toBeLessThan(everything.ids.length);
    const spam = await listAll(api, { labelIds: ['SPAM'], includeSpamTrash: true, maxResults: 500 });
    expect(spam.ids.length).toBeGreaterThan(0);
    expect(spam.ids.filter((id) => visible.ids.includes(id))).toEqual([]);
    const big = await api.users.messages.list({ userId: 'me', maxResults: 5000 });
    expect(big.data.messages).toHaveLength(500);
    expect(big.data.nextPageToken).toBeTruthy();
    const first = await api.users.messages.list({ userId: 'me' });
    expect(first.data.messages).toHaveLength(100);
  });

  it('filters by labelIds (all must match), after/before and from', async () => {
    harness = await startGmailHarness([account(ANN, 13, 2500)]);
    const api = harness.client(ANN);
    const unreadInbox = await listAll(api, { labelIds: ['INBOX', 'UNREAD'], maxResults: 500 });
    expect(unreadInbox.ids.length).toBeGreaterThan(0);
    for (const id of unreadInbox.ids.slice(0, 20)) {
      const { data } = await api.users.messages.get({ userId: 'me', id, format: 'minimal' });
      expect(data.labelIds).toEqual(expect.arrayContaining(['INBOX', 'UNREAD']));
    }

    // Midnight PST of 2025/01/01 and 2025/02/01, as Gmail interprets YYYY/MM/DD.
    const after = Date.UTC(2025, 0, 1, 8);
    const before = Date.UTC(2025, 1, 1, 8);
    const january = await listAll(api, { q: 'after:2025/01/01 before:2025/02/01', maxResults: 500 });
    expect(january.ids.length).toBeGreaterThan(10);
    const dates = await Promise.all(
      january.ids.map(async (id) => {
        const { data } = await api.users.messages.get({ userId: 'me', id, format: 'minimal' });
        return Number(data.internalDate);
      }),
    );
    for (const date of dates) expect(date >= after && date < before).toBe(true);
    const epoch = await listAll(api, { q: `after:${after / 1000} before:${before / 1000}`, maxResults: 500 });
    expect(epoch.ids).toEqual(january.ids);

    const github = await listAll(api, { q: 'from:github.com', maxResults: 500 });
    expect(github.ids.length).toBeGreaterThan(0);
    const { data } = await api.users.messages.get({
      userId: 'me',
      id: github.ids[0]!,
      format: 'metadata',
      metadataHeaders: ['From'],
    });
    expect(data.payload?.headers?.[0]?.value).toContain('github.com');
  });

  it('answers an empty result without a messages key, and 400 on bad parameters', async () => {
    harness = await startGmailHarness([account(ANN, 14, 500)]);
    const api = harness.client(ANN);
    const none = await api.users.messages.list({ userId: 'me', q: 'before:1999/01/01' });
    expect(none.data).toEqual({ resultSizeEstimate: 0 });
    await expect(api.users.messages.list({ userId: 'me', maxResults: -3 })).rejects.toMatchObject({
      status: 400,
    });
    await expect(api.users.messages.list({ userId: 'me', pageToken: 'garbage' })).rejects.toMatchObject({
      status: 400,
    });
    await expect(api.users.messages.list({ userId: 'me', q: 'after:yesterday' })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('reports profile totals and refuses another user’s mailbox', async () => {
    harness = await startGmailHarness([account(ANN, 15, 1200)]);
    const api = harness.client(ANN);
    const { data } = await api.users.getProfile({ userId: 'me' });
    expect(data.emailAddress).toBe(ANN);
    expect(data.messagesTotal).toBe(1200);
    expect(data.threadsTotal).toBeGreaterThan(500);
    expect(data.threadsTotal).toBeLessThan(1200);
    const newest = await api.users.messages.list({ userId: 'me', maxResults: 1, includeSpamTrash: true });
    const message = await api.users.messages.get({ userId: 'me', id: newest.data.messages![0]!.id! });
    expect(message.data.historyId).toBe(data.historyId);
    expect((await api.users.getProfile({ userId: ANN })).data.emailAddress).toBe(ANN);
    const denied = await api.users.getProfile({ userId: 'eve@example.com' }).catch((error) => error);
    expect(denied.status).toBe(403);
    expect(denied.response.data.error).toMatchObject({
      code: 403,
      message: 'Delegation denied for eve@example.com',
      status: 'PERMISSION_DENIED',
    });
    const labels = await api.users.labels.list({ userId: 'me' });
    expect(labels.data.labels?.map((l) => l.id)).toEqual(expect.arrayContaining(['INBOX', 'SPAM', 'TRASH']));
  });

  it('serves a 1,000,000-message mailbox: first page and an old message by id', async () => {
    harness = await startGmailHarness([account(ANN, 16, 1_000_000)]);
    const api = harness.client(ANN);
    const first = await api.users.messages.list({ userId: 'me', maxResults: 500 });
    expect(first.data.messages).toHaveLength(500);
    const old = await api.users.messages.list({ userId: 'me', q: 'before:2021/01/01', maxResults: 3 });
    expect(old.data.messages).toHaveLength(3);
    const { data } = await api.users.messages.get({ userId: 'me', id: old.data.messages![2]!.id! });
    expect(Number(data.internalDate)).toBeLessThan(Date.UTC(2021, 0, 1, 8));
    const profile = await api.users.getProfile({ userId: 'me' });
    expect(profile.data.messagesTotal).toBe(1_000_000);
  });
});
