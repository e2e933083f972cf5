import { z } from 'zod';
import { JobStatus, Tier } from './ingestion.ts';

/**
 * The ops API (`/api/ops/*`, ops role only): what the SPA's `/ops` page shows. ARCHITECTURE.md §6.
 * Instants are ISO strings; counts by status list every status (zero included), so a table never has holes.
 */

export const BatchStatus = z.enum(['pending', 'enqueued', 'running', 'done', 'failed']);
export type BatchStatus = z.infer<typeof BatchStatus>;

const count = z.number().int().nonnegative();
const instant = z.iso.datetime();

/** `{ pending: 0, running: 3, ... }`: one key per batch status. */
export const BatchStatusCounts = z.record(BatchStatus, count);
export type BatchStatusCounts = z.infer<typeof BatchStatusCounts>;

export const JobStatusCounts = z.record(JobStatus, count);
export type JobStatusCounts = z.infer<typeof JobStatusCounts>;

/** A job's batches: how many, by status, and by tier then status (`byTier.low.failed`). */
export const OpsBatchCounts = z.object({
  total: count,
  byStatus: BatchStatusCounts,
  byTier: z.record(Tier, BatchStatusCounts),
});
export type OpsBatchCounts = z.infer<typeof OpsBatchCounts>;

/** One ingestion job as ops sees it. */
export const OpsJob = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  /** The Google account being ingested. */
  accountEmail: z.string(),
  kind: z.enum(['gmail_backfill', 'calendar_sync']),
  status: JobStatus,
  /** Gmail's estimate first, exact once listing ends; null until known. */
  total: count.nullable(),
  listed: count,
  ingested: count,
  failed: count,
  /** From the OAuth callback to the first page stored. */
  firstDataMs: count.nullable(),
  createdAt: instant,
  updatedAt: instant,
  finishedAt: instant.nullable(),
  lastError: z.string().nullable(),
  /** The stall watchdog compares this with now. */
  lastProgressAt: instant,
  batches: OpsBatchCounts,
});
export type OpsJob = z.infer<typeof OpsJob>;

/** Opaque keyset cursor over (created_at, id), newest first. */
export const OpsJobCursor = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'not a cursor returned by this API');

export const OpsIngestionListQuery = z.object({
  status: JobStatus.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: OpsJobCursor.optional(),
});
export type OpsIngestionListQuery = z.infer<typeof OpsIngestionListQuery>;

/** Across every job, whatever the list's filter and page. */
export const OpsTotals = z.object({
  jobsByStatus: JobStatusCounts,
  batchesByStatus: BatchStatusCounts,
  /** Sum of the jobs' `ingested`. */
  messagesIngested: count,
});
export type OpsTotals = z.infer<typeof OpsTotals>;

/** Gmail calls of one method that ended with one status (`'200'`, `'429'`, ... or a failure kind). */
export const OpsGmailCallCount = z.object({ method: z.string(), status: z.string(), count });
export type OpsGmailCallCount = z.infer<typeof OpsGmailCallCount>;

/**
 * Gmail quota use, read from this API instance's in-memory counters (the same ones `/metrics` exports).
 * They start at zero when the process starts, and each instance counts only its own calls: the fleet's
 * total is the sum over instances, which is Prometheus' job.
 */
export const OpsQuotaUse = z.object({
  window: z.object({
    kind: z.literal('since_instance_start'),
    from: instant,
    to: instant,
  }),
  /** Google's unit costs (messages.get = 5, messages.list = 5, ...). */
  quotaUnits: z.number().nonnegative(),
  gmailCalls: z.object({
    total: count,
    /** Calls answered 429 (rate limited). */
    rateLimited: count,
    /** Keyed by HTTP status or failure kind. */
    byStatus: z.record(z.string(), count),
    byMethod: z.array(OpsGmailCallCount),
  }),
});
export type OpsQuotaUse = z.infer<typeof OpsQuotaUse>;

/** `GET /api/ops/ingestions`. */
export const OpsIngestionListResponse = z.object({
  totals: OpsTotals,
  quota: OpsQuotaUse,
  jobs: z.array(OpsJob),
  /** Pass back as `cursor` for the next (older) page; null at the end. */
  nextCursor: OpsJobCursor.nullable(),
});
export type OpsIngestionListResponse = z.infer<typeof OpsIngestionListResponse>;

export const OpsJobParams = z.object({ jobId: z.uuid() });
export type OpsJobParams = z.infer<typeof OpsJobParams>;

/** One 1000-message batch of a job. */
export const OpsBatch = z.object({
  seq: count,
  tier: Tier,
  status: BatchStatus,
  attempts: count,
  /** Bumped on each re-enqueue. */
  generation: count,
  messageCount: count,
  storedCount: count,
  failedCount: count,
  enqueuedAt: instant.nullable(),
  startedAt: instant.nullable(),
  finishedAt: instant.nullable(),
  /** finishedAt − startedAt (the first lease, so retries included); null until it finishes. */
  durationMs: count.nullable(),
  lastError: z.string().nullable(),
});
export type OpsBatch = z.infer<typeof OpsBatch>;

/** A message the job gave up on, and why. */
export const OpsFailure = z.object({
  seq: count,
  gmailId: z.string(),
  reason: z.string(),
  createdAt: instant,
});
export type OpsFailure = z.infer<typeof OpsFailure>;

/** At most this many failures are listed; `failuresTotal` says how many there are. */
export const OPS_FAILURES_LIMIT = 100;

/** `GET /api/ops/ingestions/:jobId`. */
export const OpsIngestionDetailResponse = z.object({
  job: OpsJob,
  /** Every batch, by seq. */
  batches: z.array(OpsBatch),
  /** The first failures by (seq, gmail id). */
  failures: z.array(OpsFailure).max(OPS_FAILURES_LIMIT),
  failuresTotal: count,
});
export type OpsIngestionDetailResponse = z.infer<typeof OpsIngestionDetailResponse>;

/** Where an item came from: Gmail messages or Calendar events (and calendars). */
export const IngestSource = z.enum(['gmail', 'calendar']);
export type IngestSource = z.infer<typeof IngestSource>;

/** Items that could not be stored (or were skipped), by source and reason, over every account. */
export const OpsIngestFailureCount = z.object({
  source: IngestSource,
  reason: z.string(),
  /** Distinct items. */
  items: count,
  /** Times they were seen (a retried batch sees its bad message again). */
  occurrences: count,
});
export type OpsIngestFailureCount = z.infer<typeof OpsIngestFailureCount>;

/** One item Google sent that could not be stored: its id and why, never its content. */
export const OpsIngestFailure = z.object({
  source: IngestSource,
  accountEmail: z.string(),
  /** Null when the item had no readable id. */
  itemId: z.string().nullable(),
  reason: z.string(),
  count: count,
  firstSeenAt: instant,
  lastSeenAt: instant,
});
export type OpsIngestFailure = z.infer<typeof OpsIngestFailure>;

export const OPS_RECENT_INGEST_FAILURES = 50;

/** `GET /api/ops/ingest-failures`. */
export const OpsIngestFailuresResponse = z.object({
  bySourceAndReason: z.array(OpsIngestFailureCount),
  /** The most recently seen, newest first. */
  recent: z.array(OpsIngestFailure).max(OPS_RECENT_INGEST_FAILURES),
});
export type OpsIngestFailuresResponse = z.infer<typeof OpsIngestFailuresResponse>;

/** The project quota scheduler's priority classes, highest first (apps/api/src/quota/quota-grants.ts). */
export const QuotaClassName = z.enum(['interactive', 'sync', 'high', 'low']);

/** One class's use of today's budget: past `limit` (its share of the budget) it waits for the next UTC day. */
export const OpsQuotaClassUse = z.object({
  class: QuotaClassName,
  units: z.number().nonnegative(),
  /** The day's units (every class) past which this class is refused (`reason: 'daily_budget'`). */
  limit: z.number().nonnegative(),
  waitingForTomorrow: z.boolean(),
  /** What refused callers of this class wait for now (live demands, every instance); absent from older servers. */
  demand: z.object({ users: count, units: z.number().nonnegative() }).optional(),
});

/** One resource's per-window limits as configured, and what the scheduler plans against them now. */
export const OpsQuotaWindow = z.object({
  /** Google's per-project limit per window (Gmail: 1,200,000 units a minute). */
  projectLimit: z.number().nonnegative(),
  /** Google's per-user limit per window. */
  userLimit: z.number().nonnegative(),
  windowMs: count,
  /** The share of each limit the scheduler plans for. */
  utilisation: z.number().nonnegative(),
  /**
   * Units per window the last ticks credited to the users waiting now (the sum of their allocation rates):
   * the project's planned use, every instance. Zero when nobody waits.
   */
  plannedPerWindow: z.number().nonnegative(),
  /** Google answered a project-level rate limit: nothing is granted before this instant; null when not held. */
  projectHeldUntil: instant.nullable(),
  /** Users held after Google answered them 429 (their allowance pauses until the hold ends). */
  usersHeld: count,
});

/** `GET /api/ops/quota`: the shared project budget, read from the database (every instance's grants). */
export const OpsQuotaPlanResponse = z.object({
  scheduler: z.enum(['project', 'per-user']),
  /** The UTC day the budget counts (YYYY-MM-DD). */
  day: z.iso.date(),
  /** When the daily budget starts again (the next UTC midnight, the database's clock); absent from older servers. */
  resetsAt: instant.optional(),
  resources: z.array(
    z.object({
      resource: z.enum(['gmail', 'calendar']),
      dailyBudget: z.number().nonnegative(),
      usedToday: z.number().nonnegative(),
      byClass: z.array(OpsQuotaClassUse),
      window: OpsQuotaWindow.optional(),
    }),
  ),
  /** Gmail units granted (every day recorded, listing included) per stored message; null before any is stored. */
  unitsPerMessage: z.number().nonnegative().nullable(),
  /** Gmail units granted per user with a mailbox backfill; null before the first. */
  unitsPerOnboardedUser: z.number().nonnegative().nullable(),
  /**
   * Gmail calls answered 429, counted by the instance that answered this request since it started (Google's
   * 429s are not recorded in the database; the fleet's total is Prometheus' sum of `firstlight_gmail_calls_total`).
   */
  rateLimited: z.object({ thisInstance: count, since: instant }).optional(),
});
export type OpsQuotaPlanResponse = z.infer<typeof OpsQuotaPlanResponse>;
