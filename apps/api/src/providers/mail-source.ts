import type { IngestSource } from '@firstlight/db';
import type { NewEmail } from '../emails/index.ts';

export { ReauthRequired } from '../google/index.ts';

/**
 * The mail source port: what the ingestion core (lister, batches, incremental sync) asks of a mail provider.
 * An adapter lives in a folder of its own (`providers/gmail/`; a test-only one in
 * `apps/api/test/providers/in-memory-mail/`) and is registered by `accounts.provider`. Adapters throw
 * `ReauthRequired` (re-exported here; it lives with the Google account clients, which the calendar shares) when
 * the account's grant is gone: the core pauses the account's work for the user. Any other error is retried.
 *
 * Push (Gmail `users.watch` + Pub/Sub, Graph subscriptions) will be a separate, optional port — `MailWatch`
 * below, not yet implemented by any adapter: a provider that cannot push is polled through `changesSince`.
 */
export interface MailSource {
  /** The mailbox's address, an estimate of its size (the progress bar's first denominator), and a cursor. */
  profile(): Promise<MailProfile>;
  /** One page of message ids, newest first; `nextPageToken` null on the last page. */
  listPage(pageToken: string | null, pageSize: number): Promise<MailPage>;
  /** At most `maxFetch` ids, parsed into rows; per-message failures are values, not errors. */
  fetchMany(ids: string[]): Promise<FetchedMail>;
  /** What changed after `cursor`; `expired` when the provider no longer knows it (the core re-lists). */
  changesSince(cursor: string, pageToken: string | null): Promise<MailChanges>;
}

export interface MailProfile {
  address: string | null;
  totalEstimate: number | null;
  /** Where incremental sync starts when taken before listing (nothing arriving meanwhile is missed). */
  cursor: string | null;
}

export interface MailPage {
  ids: string[];
  nextPageToken: string | null;
}

export interface FetchedMail {
  /** Every message that parsed, ready to store. */
  emails: NewEmail[];
  /** Ids among `emails` outside the inbox's view (spam, trash): sync removes them, the backfill keeps them. */
  outOfView: string[];
  /** Deleted since they were listed: not failures. */
  gone: string[];
  failures: { messageId: string; reason: string }[];
}

export type MailChanges =
  | {
      kind: 'page';
      /** Added or changed (fetched again), in order. */
      added: string[];
      removed: string[];
      nextPageToken: string | null;
      /** The cursor after this page; required on the last page. */
      cursor: string | null;
    }
  | { kind: 'expired' };

/** The core's pacing for one account's user (the quota scheduler): adapters call through it. */
export interface MailPacing {
  run<T>(units: number, call: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** The provider said "too fast": nobody of this user calls for `ms`. */
  penalise(ms: number): Promise<void>;
}

export interface MailAccount {
  accountId: string;
  userId: string;
}

export interface OpenOptions {
  pacing: MailPacing;
  /** Attempts of one call before the work is handed back to the queue. */
  maxAttempts: number;
  /** Aborted when the work must stop (lease lost, shutdown): waits end and calls in flight are cancelled. */
  signal?: AbortSignal;
}

export interface MailProvider {
  /** `ingest_failures.source` of what this provider's messages fail with. */
  readonly failureSource: IngestSource;
  /** Ids per `fetchMany` call at most. */
  readonly maxFetch: number;
  /** Quota units one fetched message costs: the ETA's quota-limited rate. */
  readonly unitsPerMessage: number;
  open(account: MailAccount, options: OpenOptions): Promise<MailSource>;
  /** The account's credentials changed or were refused: drop what is cached for it. */
  forget(accountId: string): void;
}

/** Providers by `accounts.provider`; injected, so a test app may register its own adapter. */
export type MailProviders = Readonly<Record<string, MailProvider>>;

/** Reserved for push; no adapter implements it yet (see above). */
export interface MailWatch {
  /** Starts (or renews) push notifications for the account; returns when they lapse. */
  watch(account: MailAccount): Promise<{ expiresAt: Date }>;
  stop(account: MailAccount): Promise<void>;
}
