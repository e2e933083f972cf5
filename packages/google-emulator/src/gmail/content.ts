/**
 * The full content of a message — headers and MIME tree — built on demand from (seed, slot). About 1 % of
 * messages carry the defects real mailboxes have: no Subject, RFC 2047 words that cannot be decoded, raw
 * Latin-1 bytes in a header, a Date header that does not parse or is missing.
 */
import { mix, pick } from '../hash.ts';
import { DAYS, PLACES, SENTENCES, SUBJECTS_BY_CATEGORY, TOPICS, ZONE_OFFSETS } from './catalogue.ts';
import type { Traits } from './traits.ts';

const SALT_SHAPE = 0x54a9e;
const SALT_TEXT = 0x7e87;
const SALT_DEFECT = 0xdef;

export interface HeaderField {
  name: string;
  /** As the API shows it (RFC 2047 words decoded when they can be). */
  value: string;
  /** The bytes on the wire when they differ from `value` (encoded words, Latin-1). */
  wire?: Buffer;
}

export interface Attachment {
  filename: string;
  /** Declared size in bytes (may be many MB; the bytes are only made for `raw`, and capped there). */
  size: number;
  fill: number;
}

export interface MimePart {
  mimeType: string;
  headers: HeaderField[];
  text?: string;
  transferEncoding?: '7bit' | '8bit' | 'base64';
  attachment?: Attachment;
  boundary?: string;
  parts?: MimePart[];
}

export interface MessageContent {
  root: MimePart;
  /** Plain text the snippet is cut from. */
  plain: string;
}

export interface ContentInput {
  seed: number;
  slot: number;
  internalDate: number;
  owner: string;
  traits: Traits;
  id: string;
}

export function buildContent(input: ContentInput): MessageContent {
  const { seed, slot } = input;
  const shape = mix(seed, slot, SALT_SHAPE);
  const plain = bodyText(input);
  const textPart: MimePart = {
    mimeType: 'text/plain',
    headers: [{ name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }],
    text: plain,
    transferEncoding: Buffer.byteLength(plain) === plain.length ? '7bit' : '8bit',
  };
  const htmlPart: MimePart = {
    mimeType: 'text/html',
    headers: [{ name: 'Content-Type', value: 'text/html; charset="UTF-8"' }],
    text: toHtml(plain),
    transferEncoding: 'base64',
  };
  const boundary = (tag: string) => `000000000000${(mix(seed, slot, tag.length) >>> 0).toString(16)}${tag}`;
  let body: MimePart;
  const roll = shape % 1000;
  if (roll < 550) {
    body = textPart;
  } else if (roll < 850) {
    body = multipart('alternative', boundary('a'), [textPart, htmlPart]);
  } else {
    // 0.3 % of all mail carries a several-MB attachment; other attachments span 8 KB – 3 MB.
    const huge = roll >= 997;
    const size = huge
      ? 5_000_000 + (mix(seed, slot, 0xb16) % 20_000_000)
      : Math.round(8_000 * 375 ** ((shape >>> 12) / 0x100000));
    const attachment = attachmentPart(shape, size);
    body = multipart('mixed', boundary('m'), [
      multipart('alternative', boundary('a'), [textPart, htmlPart]),
      attachment,
    ]);
  }
  const top = topHeaders(input);
  const ownHeaders = body.headers;
  if (body.transferEncoding)
    ownHeaders.push({ name: 'Content-Transfer-Encoding', value: body.transferEncoding });
  body.headers = [...top, ...ownHeaders];
  for (const part of body.parts ?? []) addTransferEncodingHeaders(part);
  return { root: body, plain };
}

function multipart(subtype: string, boundary: string, parts: MimePart[]): MimePart {
  return {
    mimeType: `multipart/${subtype}`,
    headers: [{ name: 'Content-Type', value: `multipart/${subtype}; boundary="${boundary}"` }],
    boundary,
    parts,
  };
}

function addTransferEncodingHeaders(part: MimePart): void {
  if (part.transferEncoding && !part.headers.some((h) => h.name === 'Content-Transfer-Encoding'))
    part.headers.push({ name: 'Content-Transfer-Encoding', value: part.transferEncoding });
  for (const child of part.parts ?? []) addTransferEncodingHeaders(child);
}

function attachmentPart(shape: number, size: number): MimePart {
  const kinds = [
    { ext: 'pdf', type: 'application/pdf', name: 'invoice' },
    { ext: 'jpg', type: 'image/jpeg', name: 'IMG_2044' },
    {
      ext: 'xlsx',
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      name: 'budget',
    },
    { ext: 'zip', type: 'application/zip', name: 'photos' },
  ];
  const kind = pick(kinds, shape >>> 7);
  const filename = `${kind.name}.${kind.ext}`;
  return {
    mimeType: kind.type,
    headers: [
      { name: 'Content-Type', value: `${kind.type}; name="${filename}"` },
      { name: 'Content-Disposition', value: `attachment; filename="${filename}"` },
      { name: 'Content-Transfer-Encoding', value: 'base64' },
    ],
    attachment: { filename, size, fill: shape },
  };
}

function topHeaders(input: ContentInput): HeaderField[] {
  const { seed, slot, traits, owner } = input;
  const defect = mix(seed, slot, SALT_DEFECT);
  const person = traits.correspondent;
  const correspondent = person.name ? `${quoteName(person.name)} <${person.address}>` : person.address;
  const ownerName = owner.split('@')[0]!.replace(/[._]/g, ' ');
  const self = `${quoteName(ownerName)} <${owner}>`;
  const from = traits.kind === 'sent' ? self : correspondent;
  const to = traits.kind === 'sent' ? correspondent : self;
  const headers: HeaderField[] = [];
  if (traits.kind !== 'sent') headers.push({ name: 'Delivered-To', value: owner });
  headers.push({ name: 'MIME-Version', value: '1.0' });
  const dateDefect = (defect >>> 8) % 200;
  if (dateDefect === 0) headers.push({ name: 'Date', value: 'Tuesday afternoon, sometime' });
  else if (dateDefect !== 1) {
    const sentAt = input.internalDate - (defect % 90) * 1000;
    headers.push({ name: 'Date', value: rfc5322Date(sentAt, pick(ZONE_OFFSETS, defect >>> 16)) });
  }
  headers.push({
    name: 'Message-ID',
    value: `<${input.id}.${(defect >>> 4).toString(36)}@mail.emulator.test>`,
  });
  const subject = subjectField(input, defect % 200);
  if (subject) headers.push(subject);
  headers.push({ name: 'From', value: from }, { name: 'To', value: to });
  return headers;
}

/** Quotes a display name when RFC 5322 requires it (specials such as `.` or `'` are fine unquoted here). */
function quoteName(name: string): string {
  return /[(),:;<>@[\]"]/.test(name) ? `"${name.replace(/"/g, '\\"')}"` : name;
}

function subjectField(input: ContentInput, defect: number): HeaderField | undefined {
  const subject = subjectText(input);
  switch (defect) {
    case 0:
    case 1:
      return undefined;
    case 2: // RFC 2047 word in a charset no one knows: shown as written.
      return { name: 'Subject', value: '=?x-unknown-charset?B?w6lsw6hnYW50?=' };
    case 3: // Q-encoded "UTF-8" holding a lone Latin-1 byte: not decodable as UTF-8, shown as written.
      return { name: 'Subject', value: '=?UTF-8?Q?Caf=E9_cr=E8me?=' };
    case 4:
    case 5: {
      const text = `Réunion d'équipe — ${subject}`;
      const wire = `=?UTF-8?B?${Buffer.from(text).toString('base64')}?=`;
      return { name: 'Subject', value: text, wire: Buffer.from(wire) };
    }
    case 6: {
      // 8-bit Latin-1 bytes with no charset declared: what the API shows is the Latin-1 reading.
      const text = `Réservation confirmée à Montréal (${subject})`;
      return { name: 'Subject', value: text, wire: Buffer.from(text, 'latin1') };
    }
    default:
      return { name: 'Subject', value: subject };
  }
}

function subjectText({ seed, slot, traits }: ContentInput): string {
  const h = mix(seed, slot, SALT_TEXT);
  const template = pick(SUBJECTS_BY_CATEGORY[traits.category], h);
  const reply = traits.kind === 'sent' && (h & 3) === 0 ? 'Re: ' : '';
  return (
    reply +
    template
      .replace('{day}', pick(DAYS, h >>> 3))
      .replace('{place}', pick(PLACES, h >>> 6))
      .replace('{topic}', pick(TOPICS, h >>> 9))
      .replace('{name}', traits.correspondent.name || 'Someone')
      .replace('{number}', String((h >>> 12) % 9000))
  );
}

function bodyText({ seed, slot, traits }: ContentInput): string {
  const h = mix(seed, slot, SALT_TEXT + 1);
  const count = 2 + (h % 7);
  const lines: string[] = [];
  if (traits.category === 'PERSONAL') lines.push(`Hi ${traits.kind === 'sent' ? 'there' : 'you'},`, '');
  for (let k = 0; k < count; k++) lines.push(pick(SENTENCES, mix(seed, slot, 100 + k)));
  lines.push('', traits.category === 'PERSONAL' ? (traits.correspondent.name.split(' ')[0] ?? '') : '--');
  return `${lines.join('\r\n')}\r\n`;
}

function toHtml(plain: string): string {
  const escaped = plain.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const paragraphs = escaped.split('\r\n').map((line) => (line ? `<div>${line}</div>` : '<br>'));
  return `<div dir="ltr">${paragraphs.join('')}</div>\r\n`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time, written in the given zone: `Tue, 4 Mar 2025 10:11:12 +0100`. */
export function rfc5322Date(ms: number, offset: string): string {
  const sign = offset.startsWith('-') ? -1 : 1;
  const minutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(3, 5)));
  const local = new Date(ms + minutes * 60_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())} ${offset}`
  );
}
