/**
 * Deterministic pseudo-randomness from integers: every generated fact is a pure function of
 * (seed, account, index), so a 1,000,000-message mailbox needs no memory and the same seed gives the same data.
 */

/** 32-bit FNV-1a of a string: stable account seeds from emails. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A well-mixed 32-bit value of (a, b, c) (murmur3 finaliser). */
export function mix(a: number, b: number, c = 0): number {
  let h = (a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Picks an element deterministically. */
export function pick<T>(items: readonly T[], value: number): T {
  return items[value % items.length]!;
}
