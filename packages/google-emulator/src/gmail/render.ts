/**
 * A message as the Gmail API answers it (https://developers.google.com/gmail/api/reference/rest/v1/users.messages):
 * `minimal`, `metadata`, `full` (parsed payload) or `raw` (base64url RFC 822 bytes).
 *
 * Large attachments are never materialised for `full` (the part carries an `attachmentId` and its size, as
 * Gmail's does). `raw` includes at most RAW_ATTACHMENT_LIMIT bytes of an attachment; a truncated part says so
 * in an `X-Emulator-Truncated` header. `sizeEstimate` always reflects the declared, untruncated size.
 */
import type { MessageContent, MimePart } from './content.ts';

export const RAW_ATTACHMENT_LIMIT = 512 * 1024;

export type MessageFormat = 'minimal' | 'metadata' | 'full' | 'raw';

/** The per-message facts that are not content. */
export interface MessageFacts {
  id: string;
  threadId: string;
  labelIds: string[];
  historyId: number;
  internalDate: number;
}

export interface ApiHeader {
  name: string;
  value: string;
}

export interface ApiPart {
  partId?: string;
  mimeType: string;
  filename?: string;
  headers: ApiHeader[];
  body?: { size: number; data?: string; attachmentId?: string };
  parts?: ApiPart[];
}

export interface ApiMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  snippet: string;
  payload?: ApiPart;
  sizeEstimate: number;
  historyId: string;
  internalDate: string;
  raw?: string;
}

export function present(
  facts: MessageFacts,
  content: MessageContent,
  format: MessageFormat,
  metadataHeaders: readonly string[] = [],
): ApiMessage {
  const message: ApiMessage = {
    id: facts.id,
    threadId: facts.threadId,
    labelIds: facts.labelIds,
    snippet: snippetOf(content.plain),
    sizeEstimate: measureRaw(content.root),
    historyId: String(facts.historyId),
    internalDate: String(facts.internalDate),
  };
  if (format === 'metadata') {
    const wanted = new Set(metadataHeaders.map((name) => name.toLowerCase()));
    const headers = content.root.headers
      .filter((h) => wanted.size === 0 || wanted.has(h.name.toLowerCase()))
      .map(({ name, value }) => ({ name, value }));
    message.payload = { mimeType: content.root.mimeType, headers };
  } else if (format === 'full') {
    message.payload = fullPart(facts.id, content.root, '');
  } else if (format === 'raw') {
    message.raw = Buffer.concat(writeRaw(content.root)).toString('base64url');
  }
  return message;
}

/** Gmail's snippet: the start of the text, whitespace collapsed, HTML-escaped (`&#39;` for an apostrophe). */
export function snippetOf(plain: string): string {
  const text = plain.replace(/\s+/g, ' ').trim();
  const cut = text.length > 160 ? text.slice(0, text.lastIndexOf(' ', 160)) : text;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `ANGjdJ…` like Gmail's, but decodable: it names the message and the part. */
export function attachmentIdFor(messageId: string, partId: string): string {
  return `ANGjdJ${Buffer.from(`${messageId}/${partId}`).toString('base64url')}`;
}

export function parseAttachmentId(attachmentId: string): { messageId: string; partId: string } | undefined {
  if (!attachmentId.startsWith('ANGjdJ')) return undefined;
  const match = /^([0-9a-f]{16})\/([\d.]+)$/.exec(Buffer.from(attachmentId.slice(6), 'base64url').toString());
  return match ? { messageId: match[1]!, partId: match[2]! } : undefined;
}

/** The part with this Gmail partId ('' root, '0', '1.0', …). */
export function partById(root: MimePart, partId: string): MimePart | undefined {
  if (partId === '') return root;
  let part: MimePart | undefined = root;
  for (const step of partId.split('.')) part = part?.parts?.[Number(step)];
  return part;
}

function fullPart(messageId: string, part: MimePart, partId: string): ApiPart {
  const api: ApiPart = {
    partId,
    mimeType: part.mimeType,
    filename: part.attachment?.filename ?? '',
    headers: part.headers.map(({ name, value }) => ({ name, value })),
  };
  if (part.parts) {
    api.body = { size: 0 };
    api.parts = part.parts.map((child, k) =>
      fullPart(messageId, child, partId === '' ? String(k) : `${partId}.${k}`),
    );
  } else if (part.attachment) {
    api.body = { attachmentId: attachmentIdFor(messageId, partId), size: part.attachment.size };
  } else {
    const bytes = Buffer.from(part.text ?? '');
    api.body = { size: bytes.length, data: bytes.toString('base64url') };
  }
  return api;
}

/** Deterministic attachment bytes (xorshift32), at most `limit` of them. */
export function attachmentBytes(part: MimePart, limit = RAW_ATTACHMENT_LIMIT): Buffer {
  const size = Math.min(part.attachment?.size ?? 0, limit);
  const bytes = Buffer.allocUnsafe(size);
  let state = (part.attachment?.fill ?? 1) | 1;
  for (let k = 0; k < size; k++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[k] = state & 0xff;
  }
  return bytes;
}

/** RFC 2045 §6.8: base64 lines of at most 76 characters. */
function base64Lines(bytes: Buffer): string {
  const text = bytes.toString('base64');
  const lines: string[] = [];
  for (let k = 0; k < text.length; k += 76) lines.push(text.slice(k, k + 76));
  return `${lines.join('\r\n')}\r\n`;
}

function base64LinesLength(size: number): number {
  const chars = Math.ceil(size / 3) * 4;
  return chars + Math.ceil(chars / 76) * 2;
}

function writeRaw(part: MimePart): Buffer[] {
  const out: Buffer[] = [];
  const truncated = part.attachment && part.attachment.size > RAW_ATTACHMENT_LIMIT;
  for (const header of part.headers) out.push(headerBytes(header.name, header.wire ?? header.value));
  if (truncated) {
    const note = `declared ${part.attachment!.size} bytes, first ${RAW_ATTACHMENT_LIMIT} included`;
    out.push(headerBytes('X-Emulator-Truncated', note));
  }
  out.push(Buffer.from('\r\n'));
  if (part.parts) {
    for (const child of part.parts) {
      out.push(Buffer.from(`--${part.boundary}\r\n`), ...writeRaw(child), Buffer.from('\r\n'));
    }
    out.push(Buffer.from(`--${part.boundary}--\r\n`));
  } else if (part.attachment) {
    out.push(Buffer.from(base64Lines(attachmentBytes(part))));
  } else if (part.transferEncoding === 'base64') {
    out.push(Buffer.from(base64Lines(Buffer.from(part.text ?? ''))));
  } else {
    out.push(Buffer.from(part.text ?? ''));
  }
  return out;
}

/** The byte length `writeRaw` would give without truncation, computed without making attachment bytes. */
function measureRaw(part: MimePart): number {
  let size = 2;
  for (const header of part.headers) size += header.name.length + 4 + byteLength(header.wire ?? header.value);
  if (part.parts) {
    for (const child of part.parts) size += (part.boundary?.length ?? 0) + 6 + measureRaw(child);
    size += (part.boundary?.length ?? 0) + 6;
  } else if (part.attachment) {
    size += base64LinesLength(part.attachment.size);
  } else {
    const text = Buffer.byteLength(part.text ?? '');
    size += part.transferEncoding === 'base64' ? base64LinesLength(text) : text;
  }
  return size;
}

function headerBytes(name: string, value: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${name}: `), Buffer.from(value), Buffer.from('\r\n')]);
}

function byteLength(value: string | Buffer): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
