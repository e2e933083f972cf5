import { z } from 'zod';
import { hashString, mix } from './hash.ts';

/**
 * Many accounts in one line, for scale benchmarks: `scale{0..999}@example.com:300-3000` is 1,000 accounts
 * whose mailbox sizes are drawn per account from [300, 3000]. A size is a pure function of (seed, address),
 * so the same set gives the same mailboxes on every run and in every process that expands it; the mailboxes
 * themselves are generated lazily, on an account's first call (gmail/mailbox.ts), so a set costs only its
 * directory entries at start.
 */
export const AccountSet = z
  .object({
    /** Addresses are `${prefix}${start + i}@${domain}` for i in [0, count). */
    prefix: z.string().min(1).max(64),
    domain: z.string().min(1).default('example.com'),
    start: z.number().int().min(0).default(0),
    count: z.number().int().min(1).max(100_000),
    minMessages: z.number().int().min(0).max(5_000_000),
    maxMessages: z.number().int().min(0).max(5_000_000),
    /** Seeds the size draw (default: the emulator's seed). */
    seed: z.number().int().optional(),
  })
  .refine((set) => set.minMessages <= set.maxMessages, {
    message: 'minMessages must not exceed maxMessages',
  });
export type AccountSet = z.infer<typeof AccountSet>;
export type AccountSetInput = z.input<typeof AccountSet>;

/** The set's accounts, in address order of their index. */
export function expandAccountSet(set: AccountSet, emulatorSeed: number) {
  const seed = set.seed ?? emulatorSeed;
  const spread = set.maxMessages - set.minMessages + 1;
  return Array.from({ length: set.count }, (_, i) => {
    const email = `${set.prefix}${set.start + i}@${set.domain}`.toLowerCase();
    return { email, mailboxSize: set.minMessages + (mix(seed, hashString(email), 0x5e7) % spread) };
  });
}

/** `scale{0..999}@example.com:300-3000` (or `:2000` for one size) → an AccountSet (CLI `--accounts-pattern`). */
export function parseAccountPattern(pattern: string): AccountSetInput {
  const match = /^([^{}@]+)\{(\d+)\.\.(\d+)\}@([^:]+):(\d+)(?:-(\d+))?$/.exec(pattern.trim());
  if (!match)
    throw new Error(
      `google-emulator: --accounts-pattern ${pattern}: expected prefix{first..last}@domain:min-max`,
    );
  const [, prefix, first, last, domain, min, max] = match;
  return {
    prefix: prefix!,
    domain: domain!,
    start: Number(first),
    count: Number(last) - Number(first) + 1,
    minMessages: Number(min),
    maxMessages: Number(max ?? min),
  };
}
