import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from './batch-codec.ts';

describe('Google batch codec', () => {
  it('encodes each call as an application/http part with its Content-ID', () => {
    const { contentType, body } = encodeBatch([
      { id: 'a', method: 'GET', path: '/gmail/v1/users/me/messages/1?format=metadata' },
      { id: 'b', method: 'POST', path: '/x', body: { k: 'v' } },
    ]);
    const boundary = contentType.split('boundary=')[1]!;
    expect(
      body.startsWith(
        `--${boundary}\r\nContent-Type: application/http\r\nContent-ID: <a>\r\n\r\nGET /gmail/v1/users/me/messages/1?format=metadata HTTP/1.1\r\n`,
      ),
    ).toBe(true);
    expect(body).toContain('Content-Length: 9\r\n\r\n{"k":"v"}');
    expect(body.endsWith(`--${boundary}--\r\n`)).toBe(true);
  });

  it("decodes Google's answer, per-part errors included, matched by Content-ID", () => {
    // Shape of a real Gmail batch answer (https://developers.google.com/gmail/api/guides/batch).
    const answer = [
      '--batch_Xy',
      'Content-Type: application/http',
      'Content-ID: <response-b>',
      '',
      'HTTP/1.1 404 Not Found',
      'Content-Type: application/json; charset=UTF-8',
      '',
      '{"error":{"code":404,"message":"Requested entity was not found.","status":"NOT_FOUND"}}',
      '--batch_Xy',
      'Content-Type: application/http',
      'Content-ID: <response-a>',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; charset=UTF-8',
      'Vary: Origin',
      '',
      '{"id":"1","threadId":"1"}',
      '--batch_Xy--',
      '',
    ].join('\r\n');
    const parts = decodeBatch('multipart/mixed; boundary=batch_Xy', answer);
    expect(parts).toEqual([
      {
        id: 'b',
        status: 404,
        headers: { 'content-type': 'application/json; charset=UTF-8' },
        body: { error: { code: 404, message: 'Requested entity was not found.', status: 'NOT_FOUND' } },
      },
      {
        id: 'a',
        status: 200,
        headers: { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin' },
        body: { id: '1', threadId: '1' },
      },
    ]);
  });

  it('accepts LF-only line endings and a quoted boundary', () => {
    const answer = '--q\nContent-ID: <response-z>\n\nHTTP/1.1 200 OK\n\n{"ok":true}\n--q--\n';
    expect(decodeBatch('multipart/mixed; boundary="q"', answer)).toMatchObject([
      { id: 'z', status: 200, body: { ok: true } },
    ]);
  });

  it('refuses an answer that is not multipart', () => {
    expect(() => decodeBatch('application/json', '{}')).toThrow(/not a multipart/);
  });
});
