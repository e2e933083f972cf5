import { z } from 'zod';
import { AccountSet, expandAccountSet } from './account-sets.ts';

/**
 * Everything an emulator can be told at start (CLI flags and `startEmulator` share this schema).
 * Defaults are Google's (GOOGLE-FACTS.md); tests switch latency off and may shrink the quota window.
 */

export const AccountSpec = z.object({
  email: z.string().email(),
  mailboxSize: z.number().int().min(0).max(5_000_000),
  /** Display name in the id_token and userinfo (default: derived from the address). */
  name: z.string().optional(),
  /**
   * Google's `email_verified` claim (default true). False mints an account whose address Google has not
   * verified — what a relying party must refuse to sign in (OpenID Connect Core §5.1).
   */
  emailVerified: z.boolean().optional(),
});
export type AccountSpec = z.infer<typeof AccountSpec>;

export const FaultSettings = z.object({
  /** Fraction (0..1) of guarded API calls answered with one of `errorStatuses` instead of their result. */
  errorRate: z.number().min(0).max(1).default(0),
  errorStatuses: z
    .array(z.union([z.literal(429), z.literal(500), z.literal(503)]))
    .min(1)
    .default([429, 500, 503]),
  /** Fraction of calls delayed by `slowMs` on top of the latency profile. */
  slowRate: z.number().min(0).max(1).default(0),
  slowMs: z.number().int().min(0).max(600_000).default(5_000),
  /** Fraction of calls whose connection is dropped after part of the response body was sent. */
  dropRate: z.number().min(0).max(1).default(0),
});
export type FaultSettings = z.infer<typeof FaultSettings>;
export const FaultPatch = FaultSettings.partial();
export type FaultPatch = z.infer<typeof FaultPatch>;

export const QuotaSettings = z.object({
  /** Length of the quota clock's window: 60,000 ms is Google's minute; e.g. 6,000 runs a backfill 10× faster. */
  windowMs: z.number().int().min(100).max(3_600_000).default(60_000),
  gmailUnitsPerUser: z.number().int().min(1).default(6_000),
  gmailUnitsPerProject: z.number().int().min(1).default(1_200_000),
  calendarRequestsPerUser: z.number().int().min(1).default(600),
  calendarRequestsPerProject: z.number().int().min(1).default(10_000),
  /** Google answers an over-quota user with 429 (today's usual) or 403 userRateLimitExceeded (older style). */
  userErrorStyle: z.enum(['429', '403']).default('429'),
  /** In-flight API requests per user before "Too many concurrent requests for user" (a batch counts once). */
  concurrentPerUser: z.number().int().min(1).max(1_000).default(10),
  /** Windows of per-window usage kept for `GET /admin/quota/usage` (the newest; older ones are dropped). */
  historyWindows: z.number().int().min(1).max(10_000).default(120),
  /** Switch accounting off entirely (benchmarks of the write path). */
  enabled: z.boolean().default(true),
});
export type QuotaSettings = z.infer<typeof QuotaSettings>;

export const LatencySetting = z.union([z.enum(['none', 'google']), z.number().min(0).max(100)]);
/** 'none' for unit tests; 'google' for Google-like per-method latency; a number scales the Google profile. */
export type LatencySetting = z.infer<typeof LatencySetting>;

export const ClientSpec = z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) });
export type ClientSpec = z.infer<typeof ClientSpec>;

/** The local OAuth client the product uses by default against the emulator. */
export const DEFAULT_CLIENT: ClientSpec = {
  clientId: 'firstlight-local',
  clientSecret: 'firstlight-local-secret',
};

const DEMO_ACCOUNT: AccountSpec = { email: 'demo@example.com', mailboxSize: 5_000 };

export const EmulatorOptions = z
  .object({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8085),
    /** Where browsers reach the emulator (consent page links, id_token issuer), when not at host:port. */
    publicUrl: z.string().url().optional(),
    seed: z.number().int().default(1),
    /** Default: demo@example.com (5,000 messages), unless `accountSets` gives the accounts. */
    accounts: z.array(AccountSpec).optional(),
    /** Many accounts at once (account-sets.ts), served after `accounts`; an address in both keeps the first. */
    accountSets: z.array(AccountSet).default([]),
    clients: z.array(ClientSpec).min(1).default([DEFAULT_CLIENT]),
    /** Approve the consent screen without showing it (demo, tests); `login_hint` picks the account. */
    autoApprove: z.boolean().default(false),
    latency: LatencySetting.default('google'),
    accessTokenTtlSeconds: z.number().int().min(1).max(86_400).default(3_600),
    quota: QuotaSettings.default(QuotaSettings.parse({})),
    faults: FaultPatch.default({}),
    /** The generated data's "now" (ms since epoch): newest message and the calendar centre. Default: today, 00:00 UTC. */
    anchor: z.number().int().optional(),
    /**
     * Each account's calendars: `generated` (a primary and a secondary calendar of singles and series) or
     * `empty` (its primary calendar only, no events) — for a mail benchmark of thousands of accounts, whose
     * calendar generation (recurrence expansion) would otherwise be the emulator's CPU.
     */
    calendars: z.enum(['generated', 'empty']).default('generated'),
    /** Log requests (CLI default). */
    logger: z.boolean().default(false),
    /**
     * Where grants and run-time changes are kept across restarts, as Google keeps them (src/state). Unset:
     * everything is in memory and a restart forgets every grant.
     */
    stateDir: z.string().min(1).optional(),
    /** Where warnings go (a discarded state file, a failed save); default: stderr, prefixed `google-emulator:`. */
    warn: z
      .custom<(message: string) => void>((value) => typeof value === 'function', 'must be a function')
      .optional(),
  })
  .transform(({ accountSets, ...options }) => ({
    ...options,
    accountSets,
    // Sets are expanded here, so everything downstream (the directory, the state file's identity) sees plain accounts.
    accounts: <AccountSpec[]>[
      ...(options.accounts ?? (accountSets.length ? [] : [DEMO_ACCOUNT])),
      ...accountSets.flatMap((set) => expandAccountSet(set, options.seed)),
    ],
  }));
export type EmulatorOptions = z.input<typeof EmulatorOptions>;
export type ResolvedOptions = z.infer<typeof EmulatorOptions>;

/** One line per problem: `accounts.0.email: Invalid email`. */
export function parseOptions(input: unknown): ResolvedOptions {
  const parsed = EmulatorOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(options)'}: ${issue.message}`,
  );
  throw new Error(`google-emulator: invalid options: ${lines.join('; ')}`);
}
