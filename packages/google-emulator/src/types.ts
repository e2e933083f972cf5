// Imported for its types only: the `declare module 'fastify'` augmentation below needs the module in scope.
import type {} from 'fastify';

/**
 * Shared shapes of the emulator. The core (server, OAuth, quota, faults, Gmail) and the Calendar
 * plugin agree on these; keep them small and stable.
 */

/** Which Google API a route belongs to: quota is accounted per API. */
export type GoogleApi = 'gmail' | 'calendar' | 'oauth' | 'admin';

/**
 * Set on every Google API route as Fastify route `config: { google: {...} }`. The core's hooks read it to
 * authenticate the bearer token, inject faults, enforce the concurrency limit and the quota (unit `cost`),
 * count the call and add latency. A route without it is not guarded.
 */
export interface GoogleRouteConfig {
  api: 'gmail' | 'calendar';
  /** Google's method name, e.g. 'users.messages.list', 'events.list' (used in counters and latency). */
  method: string;
  /** Quota units per call: Gmail's unit table; Calendar counts requests (1). */
  cost: number;
}

/** One emulated Google account (several per emulator instance). */
export interface EmulatorAccount {
  email: string;
  /** Stable OpenID subject. */
  sub: string;
  /** Number of messages in the generated mailbox. */
  mailboxSize: number;
  /** Per-account seed derived from the emulator's seed and the email. */
  seed: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    google?: GoogleRouteConfig;
  }
  interface FastifyRequest {
    /** Set by the core's auth hook on guarded routes: the account the bearer token belongs to. */
    googleAccount?: EmulatorAccount;
  }
}

/**
 * Header the Gmail batch endpoint puts on each part it dispatches in-process (value: the emulator's
 * per-instance secret). The guard charges quota and faults per part but counts the batch, not its parts,
 * against the per-user concurrency limit — as Google's front end does for one batch connection.
 */
export const BATCH_PART_HEADER = 'x-emulator-batch-part';
