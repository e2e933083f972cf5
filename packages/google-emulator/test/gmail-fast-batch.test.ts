import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../src/index.ts';
import { gmailFor, startTestEmulator } from './emulator-harness.ts';
import { batchBody, parseAnswer } from './gmail-harness.ts';

/**
 * The full emulator answers a batch's messages.get parts without a trip through its router, from rendered
 * (cached) JSON: the answers, the quota and the counters must be exactly those of the single-call route, and
 * a run-time change must never be hidden by the cache.
 */
const ADA = 'ada@example.com';
const QUERY = 'format=metadata&metadataHeaders=Subject&metadataHeaders=From';

describe('batched messages.get, answered directly and from the render cache', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startTestEmulator({ accounts: [{ email: ADA, mailboxSize: 300 }] });
  });
  afterEach(() => {
    emulator.admin.setQuota({ gmailUnitsPerUser: 6_000 });
    emulator.admin.resetStats();
  });
  afterAll(() => emulator?.close());

  async function batchGet(ids: string[], query = QUERY) {
    const token = await emulator.admin.issueAccessToken(ADA);
    const { body, contentType } = batchBody(
      ids.map((id, k) => ({
        contentId: `item-${k}`,
        request: `GET /gmail/v1/users/me/messages/${id}?${query} HTTP/1.1`,
      })),
    );
    const response = await fetch(`${emulator.url}/batch/gmail/v1`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
    return parseAnswer(response.headers.get('content-type')!, await response.text());
  }

  const listIds = async (maxResults: number) => {
    const api = await gmailFor(emulator, ADA);
    const { data } = await api.users.messages.list({ userId: 'me', maxResults });
    return data.messages!.map((message) => message.id!);
  };

  it('answers each part as the single-call route does, charging 5 units a part', async () => {
    const ids = await listIds(5);
    const api = await gmailFor(emulator, ADA);
    const single = await Promise.all(
      ids.map(async (id) => {
        const { data } = await api.users.messages.get({
          userId: 'me',
          id,
          format: 'metadata',
          metadataHeaders: ['Subject', 'From'],
        });
        return data;
      }),
    );
    emulator.admin.resetStats();
    // Twice: the second batch is served from the cache and must be identical.
    for (let round = 0; round < 2; round++) {
      const answers = await batchGet([...ids, '0123456789abcdef']);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200, 404]);
      expect(answers.slice(0, 5).map((answer) => answer.body)).toEqual(single);
      expect(answers[0]!.contentType).toMatch(/^application\/json/);
      expect(answers[5]!.body.error.status).toBe('NOT_FOUND');
    }
    const stats = emulator.admin.stats();
    expect(stats.methods['gmail.users.messages.get']).toMatchObject({ calls: 12, units: 60 });
    expect(emulator.admin.gmail.renderCache.hits).toBeGreaterThanOrEqual(5);
  });

  it("refuses the parts past the user's quota inside their parts, charging nothing for them", async () => {
    const ids = await listIds(6);
    emulator.admin.resetStats();
    emulator.admin.setQuota({ gmailUnitsPerUser: 20 });
    const answers = await batchGet(ids);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(4);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused).toHaveLength(2);
    expect(refused[0]!.body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(emulator.admin.stats().methods['gmail.users.messages.get']).toMatchObject({
      units: 20,
      errors: { 429: 2 },
    });
  });

  it('never serves a cached message or page after a run-time change', async () => {
    const [first, second] = await listIds(2);
    const [before] = await batchGet([first!]);
    const hadUnread = before!.body.labelIds.includes('UNREAD');
    emulator.admin.gmail.modifyLabels(
      ADA,
      [first!],
      hadUnread ? [] : ['UNREAD'],
      hadUnread ? ['UNREAD'] : [],
    );
    const [after] = await batchGet([first!]);
    expect(after!.body.labelIds.includes('UNREAD')).toBe(!hadUnread);

    emulator.admin.gmail.deleteMessages(ADA, [second!]);
    expect((await batchGet([second!]))[0]!.status).toBe(404);

    // A cached list page must show new mail once it arrives.
    const page = await listIds(3);
    const [delivered] = emulator.admin.gmail.deliver(ADA, 1);
    expect(await listIds(3)).toEqual([delivered!.id, ...page.slice(0, 2)]);
  });
});
