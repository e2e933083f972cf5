/**
 * When each generated message arrived. Message 0 is the newest; dates strictly decrease with the index and
 * the gaps between them are hash-driven (bursts, quiet weeks), so nothing about a date is regular. Only one
 * number per 1,024-message block is kept (the offset at the block's first message), so a 1,000,000-message
 * mailbox costs ~8 KB here, and date ↔ index lookups are a binary search.
 */
import { mix } from '../hash.ts';

const BLOCK = 1024;
const CACHED_BLOCKS = 64;
const SALT_GAP = 0x6a9;
const SALT_LEAD = 0x1ead;

/** Default spread of a generated mailbox: about six years back from the anchor. */
export const DEFAULT_SPAN_MS = 6 * 365 * 86_400_000;

export class Timeline {
  /** Seconds from message 0 to the first message of each block (length blocks + 1). */
  readonly #blockStart: Float64Array;
  /** Offsets (seconds from message 0) of recently used blocks: binary searches touch ~20 of them. */
  readonly #blocks = new Map<number, Float64Array>();
  readonly #meanGapSeconds: number;
  /** Newest generated message, in ms: a few minutes before the anchor, on a whole second. */
  readonly newest: number;

  constructor(
    readonly seed: number,
    readonly size: number,
    anchor: number,
    spanMs = DEFAULT_SPAN_MS,
  ) {
    this.#meanGapSeconds = size > 1 ? spanMs / 1000 / size : 3600;
    const leadSeconds = 60 + (mix(seed, SALT_LEAD) % 900);
    this.newest = Math.floor(anchor / 1000) * 1000 - leadSeconds * 1000;
    const blocks = Math.ceil(size / BLOCK);
    this.#blockStart = new Float64Array(blocks + 1);
    let offset = 0;
    for (let i = 0; i < size; i++) {
      if (i % BLOCK === 0) this.#blockStart[i / BLOCK] = offset;
      offset += this.gapSeconds(i);
    }
    this.#blockStart[blocks] = offset;
  }

  /**
   * Seconds between message i and the older message i + 1: exponential around the mean, with bursts
   * (a thread of quick replies) and rare long silences (holidays). Never below one second.
   */
  gapSeconds(i: number): number {
    const h = mix(this.seed, i, SALT_GAP);
    const uniform = (h & 0xffffff) / 0x1000000;
    let weight = -Math.log(1 - uniform);
    const shape = h >>> 24;
    if (shape < 26) weight *= 0.02;
    else if (shape > 253) weight *= 15;
    return Math.max(1, Math.round(this.#meanGapSeconds * weight));
  }

  /** internalDate (epoch ms) of generated message i, 0 ≤ i < size. */
  dateOf(i: number): number {
    const block = Math.floor(i / BLOCK);
    return this.newest - this.#offsets(block)[i - block * BLOCK]! * 1000;
  }

  /** The number of messages dated at or after `ms` — equally, the first index dated before it. */
  countAtOrAfter(ms: number): number {
    // Blocks first (their start dates are kept), then inside the one block that straddles `ms`.
    let low = 0;
    let high = this.#blockStart.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.newest - this.#blockStart[middle]! * 1000 >= ms) low = middle;
      else high = middle - 1;
    }
    let first = low * BLOCK;
    let last = Math.min(this.size, first + BLOCK);
    while (first < last) {
      const middle = (first + last) >> 1;
      if (this.dateOf(middle) >= ms) first = middle + 1;
      else last = middle;
    }
    return first;
  }

  /** The index of the generated message dated exactly `ms`, if any. */
  indexAt(ms: number): number | undefined {
    const index = this.countAtOrAfter(ms) - 1;
    return index >= 0 && index < this.size && this.dateOf(index) === ms ? index : undefined;
  }

  #offsets(block: number): Float64Array {
    let offsets = this.#blocks.get(block);
    if (offsets) return offsets;
    offsets = new Float64Array(BLOCK);
    let offset = this.#blockStart[block]!;
    const first = block * BLOCK;
    for (let k = 0; k < BLOCK && first + k < this.size; k++) {
      offsets[k] = offset;
      offset += this.gapSeconds(first + k);
    }
    if (this.#blocks.size >= CACHED_BLOCKS) this.#blocks.delete(this.#blocks.keys().next().value!);
    this.#blocks.set(block, offsets);
    return offsets;
  }
}
