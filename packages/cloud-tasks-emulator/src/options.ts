import { z } from 'zod';

/**
 * What an emulator can be told at start (`startCloudTasksEmulator` and the CLI share this schema).
 * Defaults are Google's (GOOGLE-FACTS.md, Cloud Tasks); tests shrink backoffs and deadlines.
 */

/** `projects/P/locations/L/queues/Q` — Google's id rules: queue ids `[A-Za-z0-9-]{1,100}`. */
export const QUEUE_NAME =
  /^projects\/([A-Za-z0-9:.-]+)\/locations\/([A-Za-z0-9_-]+)\/queues\/([A-Za-z0-9-]{1,100})$/;

export const RateLimits = z.object({
  /** Dispatch starts per second; Google caps it at 500. */
  maxDispatchesPerSecond: z.number().positive().max(500).default(500),
  /** Attempts in flight at once; Google caps it at 5,000. */
  maxConcurrentDispatches: z.number().int().min(1).max(5000).default(1000),
});
export type RateLimits = z.infer<typeof RateLimits>;

export const RetryConfig = z.object({
  /** Attempts before the task is dropped; -1 = unlimited. */
  maxAttempts: z.number().int().min(-1).default(100),
  /** Seconds; 0 = no limit. Measured from the first attempt, like Google. */
  maxRetryDurationSeconds: z.number().min(0).default(0),
  minBackoffSeconds: z.number().min(0).default(0.1),
  maxBackoffSeconds: z.number().min(0).default(3600),
  maxDoublings: z.number().int().min(0).default(16),
});
export type RetryConfig = z.infer<typeof RetryConfig>;

export const QueueSettings = z.object({
  rateLimits: RateLimits.default(RateLimits.parse({})),
  retryConfig: RetryConfig.default(RetryConfig.parse({})),
});
export type QueueSettings = z.infer<typeof QueueSettings>;
export type QueueSettingsInput = z.input<typeof QueueSettings>;

export const EmulatorOptions = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  /** gRPC port; 0 picks a free one. */
  port: z.number().int().min(0).max(65535).default(0),
  /** Port of the small HTTP server that serves `/oauth2/v1/certs`; 0 picks a free one. */
  httpPort: z.number().int().min(0).max(65535).default(0),
  /** Full queue names created at start, with `defaults`. */
  queues: z.array(z.string().regex(QUEUE_NAME, 'expected projects/P/locations/L/queues/Q')).default([]),
  /** Settings for queues created without their own (at start, or by CreateQueue without them). */
  defaults: QueueSettings.default(QueueSettings.parse({})),
  /** Per-queue overrides for queues created at start, keyed by full queue name. */
  queueSettings: z.record(z.string(), QueueSettings).default({}),
  /** Deadline of an attempt when the task sets none; Google's default is 10 minutes. */
  dispatchDeadlineMs: z
    .number()
    .int()
    .min(1)
    .default(10 * 60_000),
  /** How long a task name stays taken after the task completed or was deleted (Google: about an hour). */
  nameRetentionMs: z
    .number()
    .int()
    .min(0)
    .default(60 * 60_000),
  /** Where one line per dispatch and per error goes; off by default. */
  log: z.custom<(line: string) => void>((value) => typeof value === 'function').optional(),
});
export type EmulatorOptions = z.infer<typeof EmulatorOptions>;
export type EmulatorOptionsInput = z.input<typeof EmulatorOptions>;

export function parseOptions(input: EmulatorOptionsInput = {}): EmulatorOptions {
  const parsed = EmulatorOptions.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'options'}: ${issue.message}`,
    );
    throw new Error(`Invalid cloud-tasks-emulator options: ${issues.join('; ')}`);
  }
  return parsed.data;
}
