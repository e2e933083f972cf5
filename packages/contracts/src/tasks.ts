import { z } from 'zod';

/**
 * Task payloads (Cloud Tasks HTTP bodies and embedded-queue jobs): ids only, never data (a task is ≤ 100 KB),
 * validated when a task is created and again when it is handled.
 */

export const QueueName = z.enum(['ingest-high', 'ingest-low', 'writeback']);
export type QueueName = z.infer<typeof QueueName>;

/** List the mailbox into batch rows (resumes from the job's saved page token). */
export const MailListTask = z.object({
  jobId: z.string().uuid(),
  generation: z.number().int().nonnegative(),
});

/** Fetch and store one batch of ≤ 1000 messages. */
export const MailBatchTask = z.object({
  jobId: z.string().uuid(),
  seq: z.number().int().nonnegative(),
  generation: z.number().int().nonnegative(),
});

/** Apply the mailbox's changes since the account's saved cursor (incremental sync after the backfill). */
export const MailSyncTask = z.object({
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
  'mail-list': MailListTask,
  'mail-batch': MailBatchTask,
  'mail-sync': MailSyncTask,
  'calendar-sync': CalendarSyncTask,
  'calendar-writeback': CalendarWritebackTask,
} as const;

export const TaskKind = z.enum([
  'mail-list',
  'mail-batch',
  'mail-sync',
  'calendar-sync',
  'calendar-writeback',
]);
export type TaskKind = z.infer<typeof TaskKind>;

/**
 * Kinds renamed when mail became provider-neutral (issue 16). Tasks queued under the old names before a
 * deploy (Cloud Tasks, pg-boss rows) are still handled as the new kind; only new names are created. Drop an
 * alias once no queue can hold it (Cloud Tasks keeps a task up to 31 days; pg-boss per its retention).
 */
export const RENAMED_TASK_KINDS = {
  'gmail-list': 'mail-list',
  'gmail-batch': 'mail-batch',
  'gmail-sync': 'mail-sync',
} as const satisfies Record<string, TaskKind>;

/** The kind of a delivered task: a current kind, or an old name mapped to it. */
export const DeliveredTaskKind = z
  .union([TaskKind, z.enum(Object.keys(RENAMED_TASK_KINDS) as [keyof typeof RENAMED_TASK_KINDS])])
  .transform(
    (kind): TaskKind =>
      kind in RENAMED_TASK_KINDS
        ? RENAMED_TASK_KINDS[kind as keyof typeof RENAMED_TASK_KINDS]
        : (kind as TaskKind),
  );
export type TaskPayload<K extends TaskKind> = z.infer<(typeof TaskPayloads)[K]>;
export type MailListTask = z.infer<typeof MailListTask>;
export type MailBatchTask = z.infer<typeof MailBatchTask>;
export type MailSyncTask = z.infer<typeof MailSyncTask>;
export type CalendarSyncTask = z.infer<typeof CalendarSyncTask>;
export type CalendarWritebackTask = z.infer<typeof CalendarWritebackTask>;
