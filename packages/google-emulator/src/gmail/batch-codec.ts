/**
 * Google's batch wire format (https://developers.google.com/gmail/api/guides/batch): a `multipart/mixed`
 * body whose parts are `Content-Type: application/http` and hold one HTTP request each; the answer mirrors
 * it with HTTP responses and `Content-ID: <response-ID>`.
 *
 * Hand-written rather than a multipart library: the parts are HTTP messages, not form fields, so form-data
 * parsers (busboy & co.) do not fit, and the format is small. The parser is strict — anything it does not
 * understand fails the whole batch with a 400, as Google does.
 */
import { STATUS_CODES } from 'node:http';
import { badRequest } from './errors.ts';

/** Google's limit: "You're limited to 100 calls in a single batch request." */
export const MAX_BATCH_PARTS = 100;

export interface BatchRequestPart {
  /** The part's Content-ID without angle brackets, if it had one. */
  contentId?: string;
  method: string;
  /** Path and query, e.g. `/gmail/v1/users/me/messages/abc?format=metadata`. */
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface BatchResponsePart {
  contentId?: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/mixed\b/i.test(contentType.trim())) return undefined;
  return /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType)?.slice(1).find(Boolean);
}

export function parseBatch(contentType: string | undefined, body: string | undefined): BatchRequestPart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw badRequest('Batch requests must be multipart/mixed with a boundary.');
  if (!body) throw badRequest('Empty batch request.');
  const delimiter = new RegExp(`(?:^|\\r?\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?:\\r?\\n|$)`, 'g');
  const parts: BatchRequestPart[] = [];
  let previousEnd: number | undefined;
  let closed = false;
  for (const match of body.matchAll(delimiter)) {
    if (previousEnd !== undefined) parts.push(parsePart(body.slice(previousEnd, match.index)));
    if (match[1]) {
      closed = true;
      break;
    }
    previousEnd = match.index + match[0].length;
  }
  if (!closed || parts.length === 0) throw badRequest('Malformed multipart batch request.');
  if (parts.length > MAX_BATCH_PARTS)
    throw badRequest(`A batch request cannot contain more than ${MAX_BATCH_PARTS} calls.`);
  return parts;
}

function parsePart(text: string): BatchRequestPart {
  const [headerText, httpText] = splitAtBlankLine(text);
  const partHeaders = parseHeaderLines(headerText);
  if (!/^application\/http\b/i.test(partHeaders['content-type'] ?? ''))
    throw badRequest('Each part of a batch request must be Content-Type: application/http.');
  const [head, payload] = splitAtBlankLine(httpText);
  const [requestLine = '', ...headerLines] = head.split(/\r?\n/);
  const request = /^([A-Z]+) (\S+)(?: HTTP\/1\.[01])?$/.exec(requestLine.trim());
  if (!request) throw badRequest(`Malformed request line in batch part: ${requestLine.slice(0, 100)}`);
  const contentId = partHeaders['content-id']?.replace(/^<|>$/g, '');
  const body = payload.replace(/\r?\n$/, '');
  return {
    ...(contentId ? { contentId } : {}),
    method: request[1]!,
    path: pathOf(request[2]!),
    headers: parseHeaderLines(headerLines.join('\n')),
    ...(body ? { body } : {}),
  };
}

/** Request lines may carry an absolute URL (`GET https://gmail.googleapis.com/gmail/v1/...`). */
function pathOf(target: string): string {
  if (target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    throw badRequest(`Malformed request target in batch part: ${target.slice(0, 100)}`);
  }
}

export function encodeBatchResponse(boundary: string, parts: BatchResponsePart[]): string {
  const chunks = parts.map((part) => {
    const lines = ['Content-Type: application/http'];
    if (part.contentId !== undefined) lines.push(`Content-ID: <response-${part.contentId}>`);
    lines.push('', `HTTP/1.1 ${part.status} ${STATUS_CODES[part.status] ?? 'Unknown'}`);
    for (const [name, value] of Object.entries(part.headers)) lines.push(`${name}: ${value}`);
    lines.push('', part.body);
    return `--${boundary}\r\n${lines.join('\r\n')}\r\n`;
  });
  return `${chunks.join('')}--${boundary}--\r\n`;
}

function splitAtBlankLine(text: string): [string, string] {
  const match = /\r?\n\r?\n/.exec(text);
  return match ? [text.slice(0, match.index), text.slice(match.index + match[0].length)] : [text, ''];
}

function parseHeaderLines(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw badRequest(`Malformed header in batch part: ${line.slice(0, 100)}`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
