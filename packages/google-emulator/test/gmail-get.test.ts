import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  type GmailHarness,
  header,
  listAll,
  mapBounded,
  startGmailHarness,
} from './gmail-harness.ts';

const ANN = 'ann@example.com';
let harness: GmailHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('messages.get', () => {
  it('answers every format in Gmail’s shape', async () => {
    harness = await startGmailHarness([account(ANN, 21, 400)]);
    const api = harness.client(ANN);
    const { data: list } = await api.users.messages.list({ userId: 'me', maxResults: 1 });
    const id = list.messages![0]!.id!;

    const minimal = (await api.users.messages.get({ userId: 'me', id, format: 'minimal' })).data;
    expect(Object.keys(minimal).sort()).toEqual(
      ['historyId', 'id', 'internalDate', 'labelIds', 'sizeEstimate', 'snippet', 'threadId'].sort(),
    );
    expect(minimal.internalDate).toMatch(/^\d{13}$/);
    expect(minimal.historyId).toMatch(/^\d+$/);

    const full = (await api.users.messages.get({ userId: 'me', id })).data;
    expect(full.payload).toMatchObject({ partId: '', filename: '' });
    expect(header(full, 'from')).toBeTruthy();
    expect(header(full, 'Message-ID')).toMatch(/^<.+@.+>$/);
    expect(full.raw).toBeUndefined();

    const metadata = (
      await api.users.messages.get({
        userId: 'me',
        id,
        format: 'metadata',
        metadataHeaders: ['subject', 'FROM'],
      })
    ).data;
    expect(metadata.payload?.headers?.map((h) => h.name).sort()).toEqual(
      header(full, 'Subject') ? ['From', 'Subject'] : ['From'],
    );
    expect(metadata.snippet).toBe(full.snippet);

    const raw = (await api.users.messages.get({ userId: 'me', id, format: 'raw' })).data;
    expect(raw.payload).toBeUndefined();
    const text = Buffer.from(raw.raw!, 'base64url').toString('latin1');
    const [head] = text.split('\r\n\r\n');
    expect(head).toContain(`From: ${header(full, 'From')}`);
    expect(head).toContain(`Message-ID: ${header(full, 'Message-ID')}`);
    expect(head).toMatch(/^Content-Type: /m);
    expect(raw.sizeEstimate).toBe(Buffer.from(raw.raw!, 'base64url').length);
  });

  it('decodes multipart bodies and keeps huge attachments out of the payload', async () => {
    harness = await startGmailHarness([account(ANN, 22, 2500)]);
    const api = harness.client(ANN);
    const { ids } = await listAll(api, { maxResults: 500, includeSpamTrash: true });
    const messages = await mapBounded(
      ids,
      8,
      async (id) => (await api.users.messages.get({ userId: 'me', id, format: 'minimal' })).data,
    );
    const huge = messages.filter((m) => m.sizeEstimate! > 5_000_000);
    expect(huge.length).toBeGreaterThan(0);
    const full = (await api.users.messages.get({ userId: 'me', id: huge[0]!.id! })).data;
    expect(full.payload?.mimeType).toBe('multipart/mixed');
    const attachment = full.payload!.parts![1]!;
    expect(attachment.filename).not.toBe('');
    expect(attachment.body?.size).toBeGreaterThan(5_000_000);
    expect(attachment.body?.data).toBeUndefined();
    const text = full.payload!.parts![0]!.parts![0]!;
    expect(text).toMatchObject({ partId: '0.0', mimeType: 'text/plain' });
    expect(Buffer.from(text.body!.data!, 'base64url').toString()).toContain('.');
    const bytes = await api.users.messages.attachments.get({
      userId: 'me',
      messageId: full.id!,
      id: attachment.body!.attachmentId!,
    });
    expect(bytes.data.size).toBe(attachment.body?.size);
  });

  it('includes the malformed headers real mailboxes have', async () => {
    harness = await startGmailHarness([account(ANN, 23, 2500)]);
    const api = harness.client(ANN);
    const { ids } = await listAll(api, { maxResults: 500, includeSpamTrash: true });
    const subjects: (string | undefined)[] = [];
    const dates: (string | undefined)[] = [];
    for (let k = 0; k < 2500; k += 1) {
      const { data } = await api.users.messages.get({
        userId: 'me',
        id: ids[k]!,
        format: 'metadata',
        metadataHeaders: ['Subject', 'Date'],
      });
      subjects.push(header(data, 'Subject'));
      dates.push(header(data, 'Date'));
    }
    expect(subjects).toContain(undefined);
    expect(subjects.some((s) => s?.startsWith('=?x-unknown-charset?'))).toBe(true);
    expect(subjects.some((s) => s?.startsWith('Réunion'))).toBe(true);
    expect(dates.some((d) => d !== undefined && Number.isNaN(Date.parse(d)))).toBe(true);
    expect(dates).toContain(undefined);
  });

  it('answers 404 in Gmail’s shape for unknown and malformed ids', async () => {
    harness = await startGmailHarness([account(ANN, 24, 100)]);
    const api = harness.client(ANN);
    const { data } = await api.users.messages.list({ userId: 'me', maxResults: 1 });
    const real = data.messages![0]!.id!;
    const forged = `${real.slice(0, 11)}${real.slice(11) === '00000' ? '00001' : '00000'}`;
    for (const id of [forged, 'not-an-id', '0000000000000000']) {
      const error = await api.users.messages.get({ userId: 'me', id }).catch((e) => e);
      expect(error.status).toBe(404);
      expect(error.response.data).toEqual({
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          errors: [{ domain: 'global', reason: 'notFound', message: 'Requested entity was not found.' }],
          status: 'NOT_FOUND',
        },
      });
    }
  });
});
