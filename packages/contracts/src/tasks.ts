import { z } from 'zod';

/**
 * Task payloads (Cloud Tasks HTTP bodies and embedded-queue jobs): ids only, never data (a task is ≤ 100 KB),
 * validated when a task is created and again when it is handled.
 */

export const QueueName = z.enum(['ingest-high', 'ingest-low', 'writeback']);
export type QueueName = z.infer<typeof QueueName>;

/** List the mailbox into batch rows (resumes from the job's saved page token). */
export const GmailListTask = z.object({
  jobId: z.string().uuid(),
  generation: z.number().int().nonnegative(),
});

/** Fetch and store one batch of ≤ 1000 messages. */
export const GmailBatchTask = z.object({
  jobId: z.string().uuid(),
  seq: z.number().int().nonnegative(),
  generation: z.number().int().nonnegative(),
});

/** Apply `history.list` since the account's saved historyId (incremental sync after the backfill). */
export const GmailSyncTask = z.object({
  accountId: z.string().uuid(),
  /** The time slot the sync was scheduled for: one task per account per slot, across API instances. */
  slot: z.number().int().nonnegative(),
});

/** Sync an account's calendars (full the first time and after a 410, incremental with sync tokens after). */
export const CalendarSyncTask = z.object({
  accountId: z.string().uuid(),
  slot: z.number().int().nonnegative(),
});

/** Apply one write-back outbox row to Google. */
export const CalendarWritebackTask = z.object({ outboxId: z.number().int().positive() });

export const TaskPayloads = {
  'gmail-list': GmailListTask,
  'gmail-batch': GmailBatchTask,
  'gmail-sync': GmailSyncTask,
  'calendar-sync': CalendarSyncTask,
  'calendar-writeback': CalendarWritebackTask,
} as const;

export const TaskKind = z.enum([
  'gmail-list',
  'gmail-batch',
  'gmail-sync',
  'calendar-sync',
  'calendar-writeback',
]);
export type TaskKind = z.infer<typeof TaskKind>;
export type TaskPayload<K extends TaskKind> = z.infer<(typeof TaskPayloads)[K]>;
export type GmailListTask = z.infer<typeof GmailListTask>;
export type GmailBatchTask = z.infer<typeof GmailBatchTask>;
export type GmailSyncTask = z.infer<typeof GmailSyncTask>;
export type CalendarSyncTask = z.infer<typeof CalendarSyncTask>;
export type CalendarWritebackTask = z.infer<typeof CalendarWritebackTask>;
