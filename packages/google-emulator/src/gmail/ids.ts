/**
 * Message ids and page tokens. A Gmail id is 16 lowercase hex digits whose leading digits grow with time;
 * here the first 11 are the message's internalDate in hex and the last 5 a hash of (seed, slot), so `get`
 * finds the message by a binary search on its date and the hash rejects ids the mailbox never issued.
 */
import { mix } from '../hash.ts';

const SALT_ID = 0x1d;
const SALT_TOKEN = 0x7e4;
const ID_PATTERN = /^[0-9a-f]{16}$/;

export function messageId(seed: number, slot: number, internalDate: number): string {
  const check = mix(seed, slot, SALT_ID) & 0xfffff;
  return internalDate.toString(16).padStart(11, '0') + check.toString(16).padStart(5, '0');
}

/** The internalDate an id claims, or undefined when it is not shaped like one of ours. */
export function dateOfId(id: string): number | undefined {
  return ID_PATTERN.test(id) ? Number.parseInt(id.slice(0, 11), 16) : undefined;
}

/**
 * Opaque page tokens: a position plus a check derived from the mailbox seed, so a token from another
 * mailbox or a hand-made one is refused instead of silently paging from somewhere odd.
 */
export function encodeToken(kind: 'list' | 'history', seed: number, position: number): string {
  const check = mix(seed, position, SALT_TOKEN + kind.length) % 1_000_000;
  return Buffer.from(`${kind}:${position}:${check}`).toString('base64url');
}

export function decodeToken(kind: 'list' | 'history', seed: number, token: string): number | undefined {
  const match = /^(\w+):(-?\d+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('latin1'));
  if (!match || match[1] !== kind) return undefined;
  const position = Number(match[2]);
  const check = mix(seed, position, SALT_TOKEN + kind.length) % 1_000_000;
  return Number(match[3]) === check ? position : undefined;
}
