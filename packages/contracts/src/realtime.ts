import { z } from 'zod';
import { EmailCursor } from './emails.ts';
import { IngestionProgress, JobStatus, QuotaWait, Tier } from './ingestion.ts';

/**
 * WebSocket messages, server → browser, on `GET /ws`. Small by design (ids and counters): the browser
 * fetches rows over REST by cursor. A (re)connect always starts with a `snapshot`, so nothing is missed.
 */

export const SnapshotMessage = z.object({
  type: z.literal('snapshot'),
  ingestion: IngestionProgress.nullable(),
  /** Cursor of the newest stored email (null when none): rows newer than what the page shows. */
  newestCursor: EmailCursor.nullable(),
  emailCount: z.number().int().nonnegative(),
  /** Progress of each connected account, oldest first (`ingestion` is the signed-in account's). */
  accounts: z
    .array(
      z.object({ accountId: z.string().uuid(), email: z.string(), ingestion: IngestionProgress.nullable() }),
    )
    .default([]),
});

/** New rows were stored: the browser fetches them from `/api/emails`. */
export const EmailsReadyMessage = z.object({
  type: z.literal('emails_ready'),
  jobId: z.string().uuid().nullable(),
  count: z.number().int().nonnegative(),
  newestCursor: EmailCursor.nullable(),
});

export const BatchCompleteMessage = z.object({
  type: z.literal('batch_complete'),
  jobId: z.string().uuid(),
  seq: z.number().int().nonnegative(),
  tier: Tier,
  /** The tier the job works on next (null when nothing is left): what the progress bar names. */
  currentTier: Tier.nullable(),
  stored: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  ingested: z.number().int().nonnegative(),
  total: z.number().int().nonnegative().nullable(),
  /** Honest estimate from the measured rate and the quota; null until measurable. */
  etaSeconds: z.number().nonnegative().nullable(),
  /** Whether batches of the job wait for tomorrow's quota now (absent from older servers: unchanged). */
  quotaWait: QuotaWait.nullable().optional(),
});

/**
 * A batch of the job was deferred to the next day's quota budget: the progress says so instead of an ETA. The
 * state is derived from the job's batches (the same as the snapshot's `quotaWait`).
 */
export const QuotaWaitMessage = z.object({
  type: z.literal('quota_wait'),
  jobId: z.string().uuid(),
  quotaWait: QuotaWait.nullable(),
});

export const JobStatusMessage = z.object({
  type: z.literal('job_status'),
  jobId: z.string().uuid(),
  status: JobStatus,
  reason: z.string().nullable(),
});

/** A calendar sync finished: the browser refetches its window. */
export const CalendarReadyMessage = z.object({
  type: z.literal('calendar_ready'),
  calendars: z.number().int().nonnegative(),
  /** Events (rows or exceptions) the sync stored or changed. */
  changed: z.number().int().nonnegative(),
});

/**
 * The server's own health, as far as the page needs to know: while our database is unreachable nothing is
 * stored and no batch runs, so the page says "paused, resuming by itself" instead of "syncing". Sent to open
 * sockets when the database goes away and when it is back (then followed by a fresh `snapshot`), and on
 * connect while it is away. No details: the reason stays in the server's logs and `/readyz`.
 */
export const ServiceStatusMessage = z.object({
  type: z.literal('service_status'),
  database: z.enum(['available', 'unavailable']),
});

export const ServerMessage = z.discriminatedUnion('type', [
  SnapshotMessage,
  EmailsReadyMessage,
  BatchCompleteMessage,
  JobStatusMessage,
  QuotaWaitMessage,
  CalendarReadyMessage,
  ServiceStatusMessage,
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
export type SnapshotMessage = z.infer<typeof SnapshotMessage>;
export type EmailsReadyMessage = z.infer<typeof EmailsReadyMessage>;
export type BatchCompleteMessage = z.infer<typeof BatchCompleteMessage>;
export type JobStatusMessage = z.infer<typeof JobStatusMessage>;
export type QuotaWaitMessage = z.infer<typeof QuotaWaitMessage>;
export type ServiceStatusMessage = z.infer<typeof ServiceStatusMessage>;

/**
 * Browser → server: only a resync request (answered by a `snapshot`; requests that arrive faster than the
 * server's minimum interval are coalesced into one, never dropped); anything else is refused with a close code.
 */
export const ClientMessage = z.discriminatedUnion('type', [z.object({ type: z.literal('resync') })]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/**
 * Close codes of `/ws` (RFC 6455 §7.4: 1000–2999 are the protocol's, 4000–4999 the application's). A browser
 * sees the close code, never the HTTP status of a refused upgrade (401 without a session, 429 over a socket
 * cap: its socket just closes with 1006), so the codes that matter to the page are close codes.
 */
export const WsCloseCode = {
  /** RFC 6455: a message that is not valid JSON or not a `ClientMessage`. */
  unsupportedMessage: 1008,
  /** RFC 6455: a message over the server's maximum size (closed by `ws` itself). */
  messageTooBig: 1009,
  /** RFC 6455: the server failed (the first snapshot could not be built). */
  serverError: 1011,
  /** The socket's session ended (logout, sign-out everywhere, expiry, idle timeout): do not reconnect, sign in. */
  sessionEnded: 4401,
} as const;
