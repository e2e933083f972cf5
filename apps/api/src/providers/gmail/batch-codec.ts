import { randomBytes } from 'node:crypto';

/**
 * Google's batch protocol (https://developers.google.com/gmail/api/guides/batch): one `multipart/mixed` POST
 * whose parts are `application/http` requests; the answer is a `multipart/mixed` body of HTTP responses, each
 * with `Content-ID: response-<the part's Content-ID>`. The Node client has no batch support, and the npm
 * packages that add it guess the endpoint from the origin (wrong for Gmail's `/batch/gmail/v1`), so this small
 * codec is written here.
 */

export interface BatchPartRequest {
  /** Identifies the answer; unique within the batch. */
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query from the API root, e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
  body?: unknown;
}

export interface BatchPartResponse {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export function encodeBatch(parts: BatchPartRequest[]): { contentType: string; body: string } {
  const boundary = `batch_${randomBytes(12).toString('hex')}`;
  const chunks = parts.map((part) => {
    const lines = [
      `--${boundary}`,
      'Content-Type: application/http',
      `Content-ID: <${part.id}>`,
      '',
      `${part.method} ${part.path} HTTP/1.1`,
    ];
    if (part.body !== undefined) {
      const json = JSON.stringify(part.body);
      lines.push(
        'Content-Type: application/json; charset=UTF-8',
        `Content-Length: ${Buffer.byteLength(json)}`,
        '',
        json,
      );
    } else {
      lines.push('');
    }
    return lines.join('\r\n');
  });
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    body: `${chunks.join('\r\n')}\r\n--${boundary}--\r\n`,
  };
}

export class BatchDecodeError extends Error {
  override name = 'BatchDecodeError';
}

/** Parses the batch answer; parts come back in any order, matched by Content-ID. */
export function decodeBatch(contentType: string, body: string): BatchPartResponse[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw new BatchDecodeError(`not a multipart answer: ${contentType}`);
  const responses: BatchPartResponse[] = [];
  for (const segment of body.split(`--${boundary}`).slice(1)) {
    if (segment.startsWith('--')) break; // the closing delimiter
    const [partHeaderText = '', httpText = ''] = splitOnce(segment.replace(/^\r?\n/, ''), /\r?\n\r?\n/);
    const partHeaders = parseHeaders(partHeaderText.split(/\r?\n/));
    const [head = '', payload = ''] = splitOnce(httpText, /\r?\n\r?\n/);
    const [statusLine = '', ...headerLines] = head.split(/\r?\n/);
    const status = Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(statusLine)?.[1]);
    if (!status) throw new BatchDecodeError(`part without an HTTP status line: ${statusLine.slice(0, 80)}`);
    const contentId = partHeaders['content-id'] ?? '';
    const id = contentId.replace(/^<|>$/g, '').replace(/^response-/, '');
    const text = payload.trim();
    responses.push({
      id,
      status,
      headers: parseHeaders(headerLines),
      body: text ? tryJson(text) : undefined,
    });
  }
  return responses;
}

function splitOnce(text: string, separator: RegExp): [string, string] {
  const match = separator.exec(text);
  if (!match) return [text, ''];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
