import { afterEach, describe, expect, it } from 'vitest';
import {
  account,
  batchBody,
  type GmailHarness,
  type Part,
  parseAnswer,
  startGmailHarness,
} from './gmail-harness.ts';

const ANN = 'ann@example.com';
let harness: GmailHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function postBatch(rootUrl: string, body: string, contentType: string) {
  return fetch(`${rootUrl}batch/gmail/v1`, {
    method: 'POST',
    headers: { authorization: `Bearer token-for:${ANN}`, 'content-type': contentType },
    body,
  });
}

describe('batch', () => {
  it('answers each part in its own part, echoing Content-IDs', async () => {
    harness = await startGmailHarness([account(ANN, 41, 300)]);
    const { data } = await harness.client(ANN).users.messages.list({ userId: 'me', maxResults: 3 });
    const ids = data.messages!.map((m) => m.id!);
    const parts: Part[] = ids.map((id, k) => ({
      contentId: `item-${k}`,
      request: `GET /gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=Subject HTTP/1.1`,
    }));
    parts.push({
      contentId: 'item-missing',
      request: 'GET /gmail/v1/users/me/messages/0123456789abcdef HTTP/1.1',
    });
    const { body, contentType } = batchBody(parts);
    const response = await postBatch(harness.rootUrl, body, contentType);
    expect(response.status).toBe(200);
    const answerType = response.headers.get('content-type')!;
    expect(answerType).toMatch(/^multipart\/mixed; boundary=batch_/);
    const answers = parseAnswer(answerType, await response.text());
    expect(answers.map((a) => a.contentId)).toEqual([
      '<response-item-0>',
      '<response-item-1>',
      '<response-item-2>',
      '<response-item-missing>',
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 404]);
    expect(answers.every((a) => a.partType === 'application/http')).toBe(true);
    expect(answers[0]!.contentType).toMatch(/^application\/json/);
    expect(answers.slice(0, 3).map((a) => a.body.id)).toEqual(ids);
    expect(answers[3]!.body.error.status).toBe('NOT_FOUND');
    // Each part went through the guard with the batch secret (so the core charges it per part).
    expect(harness.batchParts).toBe(4);
  });

  it('refuses more than 100 parts, and malformed or empty batches, with a 400', async () => {
    harness = await startGmailHarness([account(ANN, 42, 10)]);
    const many = Array.from({ length: 101 }, (_, k) => ({
      contentId: String(k),
      request: 'GET /gmail/v1/users/me/profile HTTP/1.1',
    }));
    const tooMany = batchBody(many);
    const refused = await postBatch(harness.rootUrl, tooMany.body, tooMany.contentType);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: number } }).error.code).toBe(400);

    const empty = await postBatch(harness.rootUrl, '', 'multipart/mixed; boundary=x');
    expect(empty.status).toBe(400);
    const garbled = await postBatch(
      harness.rootUrl,
      '--x\r\nContent-Type: application/http\r\n\r\nnonsense\r\n--x--',
      'multipart/mixed; boundary=x',
    );
    expect(garbled.status).toBe(400);
    const noBoundary = await postBatch(harness.rootUrl, 'hello', 'multipart/mixed');
    expect(noBoundary.status).toBe(400);
  });

  it('rejects parts aimed at other APIs per part, and uses a part’s own authorization', async () => {
    harness = await startGmailHarness([account(ANN, 43, 10), account('bob@example.com', 44, 10)]);
    const { body, contentType } = batchBody([
      { contentId: 'cal', request: 'GET /calendar/v3/users/me/calendarList HTTP/1.1' },
      {
        contentId: 'bob',
        request: 'GET /gmail/v1/users/me/profile HTTP/1.1\r\nAuthorization: Bearer token-for:bob@example.com',
      },
      { contentId: 'ann', request: 'GET https://gmail.googleapis.com/gmail/v1/users/me/profile HTTP/1.1' },
    ]);
    const response = await postBatch(harness.rootUrl, body, contentType);
    const answers = parseAnswer(response.headers.get('content-type')!, await response.text());
    expect(answers.map((a) => a.status)).toEqual([404, 200, 200]);
    expect(answers[1]!.body.emailAddress).toBe('bob@example.com');
    expect(answers[2]!.body.emailAddress).toBe(ANN);
  });
});
