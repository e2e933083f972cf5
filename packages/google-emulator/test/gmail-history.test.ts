import { afterEach, describe, expect, it } from 'vitest';
import { account, type GmailHarness, startGmailHarness } from './gmail-harness.ts';

const ANN = 'ann@example.com';
let harness: GmailHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('history.list', () => {
  it('reports delivered and deleted messages after a start id, filtered by historyTypes', async () => {
    harness = await startGmailHarness([account(ANN, 31, 1000)]);
    const api = harness.client(ANN);
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    const empty = await api.users.history.list({ userId: 'me', startHistoryId: start });
    expect(empty.data).toEqual({ historyId: start });

    const delivered = harness.service.deliver(ANN, 5);
    const { data: page } = await api.users.messages.list({
      userId: 'me',
      maxResults: 10,
      includeSpamTrash: true,
    });
    expect(page.messages!.slice(0, 5).map((m) => m.id)).toEqual(delivered.map((m) => m.id).reverse());
    const victim = page.messages![7]!.id!;
    harness.service.deleteMessages(ANN, [victim]);

    const { data } = await api.users.history.list({ userId: 'me', startHistoryId: start });
    const added = data.history!.flatMap((h) => h.messagesAdded ?? []).map((m) => m.message!.id);
    const deleted = data.history!.flatMap((h) => h.messagesDeleted ?? []).map((m) => m.message!.id);
    expect(added).toEqual(delivered.map((m) => m.id));
    expect(deleted).toEqual([victim]);
    expect(Number(data.historyId)).toBeGreaterThan(Number(start));
    expect(data.historyId).toBe((await api.users.getProfile({ userId: 'me' })).data.historyId);

    const onlyDeleted = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      historyTypes: ['messageDeleted'],
    });
    expect(onlyDeleted.data.history).toHaveLength(1);
    expect(onlyDeleted.data.history![0]!.messagesAdded).toBeUndefined();

    await expect(api.users.messages.get({ userId: 'me', id: victim })).rejects.toMatchObject({ status: 404 });
    const newer = await api.users.history.list({
      userId: 'me',
      startHistoryId: String(Number(data.historyId) + 50),
    });
    expect(newer.data).toEqual({ historyId: data.historyId });
  });

  it('pages history records', async () => {
    harness = await startGmailHarness([account(ANN, 32, 50)]);
    const api = harness.client(ANN);
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    harness.service.deliver(ANN, 7);
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const { data } = await api.users.history.list({
        userId: 'me',
        startHistoryId: start,
        historyTypes: ['messageAdded'],
        maxResults: 3,
        pageToken,
      });
      seen.push(...data.history!.flatMap((h) => h.messagesAdded!.map((m) => m.message!.id!)));
      pageToken = data.nextPageToken ?? undefined;
    } while (pageToken);
    expect(seen).toHaveLength(7);
  });

  it('answers 404 once history expired, and 400 without startHistoryId', async () => {
    harness = await startGmailHarness([account(ANN, 33, 200)]);
    const api = harness.client(ANN);
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    harness.service.deliver(ANN, 2);
    harness.service.expireHistory(ANN);
    const error = await api.users.history.list({ userId: 'me', startHistoryId: start }).catch((e) => e);
    expect(error.constructor.name).toBe('GaxiosError');
    expect(error.status).toBe(404);
    expect(error.response.data.error.status).toBe('NOT_FOUND');
    // A full re-sync starts from the profile's historyId, which is valid again.
    const fresh = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    await expect(api.users.history.list({ userId: 'me', startHistoryId: fresh })).resolves.toMatchObject({
      status: 200,
    });
    // Older than the generated mailbox's base: too old as well.
    await expect(api.users.history.list({ userId: 'me', startHistoryId: '5' })).rejects.toMatchObject({
      status: 404,
    });
    const missing = await fetch(`${harness.rootUrl}gmail/v1/users/me/history`, {
      headers: { authorization: `Bearer token-for:${ANN}` },
    });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { errors: { reason: string }[] } };
    expect(body.error.errors[0]!.reason).toBe('invalidArgument');
  });

  it('records label changes made elsewhere', async () => {
    harness = await startGmailHarness([account(ANN, 34, 100)]);
    const api = harness.client(ANN);
    const start = (await api.users.getProfile({ userId: 'me' })).data.historyId!;
    const [message] = harness.service.deliver(ANN, 1);
    harness.service.modifyLabels(ANN, [message!.id], ['STARRED'], ['UNREAD', 'INBOX']);
    const { data } = await api.users.history.list({
      userId: 'me',
      startHistoryId: start,
      historyTypes: ['labelAdded', 'labelRemoved'],
    });
    const added = data.history!.flatMap((h) => h.labelsAdded ?? []).flatMap((c) => c.labelIds);
    expect(added).toContain('STARRED');
    const fetched = await api.users.messages.get({ userId: 'me', id: message!.id, format: 'minimal' });
    expect(fetched.data.labelIds).toContain('STARRED');
    expect(fetched.data.labelIds).not.toContain('INBOX');
  });
});
