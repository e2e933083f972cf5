import {
  BatchStatus,
  JobStatus,
  OPS_FAILURES_LIMIT,
  OPS_RECENT_INGEST_FAILURES,
  type OpsBatchCounts,
  type OpsIngestFailuresResponse,
  type OpsIngestionDetailResponse,
  type OpsIngestionListQuery,
  type OpsIngestionListResponse,
  type OpsJob,
  type OpsQuotaUse,
  type OpsTotals,
  Tier,
} from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { countIngestFailures, listRecentIngestFailures } from '../ingestion/index.ts';
import { DomainError } from '../lib/errors.ts';
import type { Metrics } from './metrics.ts';
import {
  countBatchesByStatus,
  countBatchesOfJobs,
  countJobsByStatus,
  findJob,
  type JobPosition,
  type JobRow,
  listJobBatches,
  listJobFailures,
  listJobsPage,
} from './ops-repository.ts';

export interface OpsDeps {
  db: Kysely<Database>;
  metrics: Metrics;
  now?: () => Date;
}

/** Opaque to clients (base64url of `<created_at, µs>|<id>`), so its shape can change without breaking them. */
export function encodeJobCursor(position: JobPosition): string {
  return Buffer.from(`${position.createdAt}|${position.id}`, 'utf8').toString('base64url');
}

/** Undefined when the text is not a cursor this API issued. */
export function decodeJobCursor(cursor: string): JobPosition | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match =
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})$/.exec(
      text,
    );
  return match ? { createdAt: match[1]!, id: match[2]! } : undefined;
}

/** A page of jobs, newest first, with the totals over all jobs and this instance's Gmail quota use. */
export async function listIngestions(
  deps: OpsDeps,
  query: OpsIngestionListQuery,
): Promise<OpsIngestionListResponse> {
  const after = query.cursor === undefined ? undefined : decodeJobCursor(query.cursor);
  if (query.cursor !== undefined && !after) {
    throw new DomainError(400, 'invalid_cursor', 'cursor is not one this API returned');
  }
  // One extra row tells whether another page exists without a count.
  const [rows, totals, quota] = await Promise.all([
    listJobsPage(deps.db, { status: query.status, limit: query.limit + 1, after }),
    opsTotals(deps.db),
    quotaUse(deps.metrics, deps.now?.() ?? new Date()),
  ]);
  const page = rows.slice(0, query.limit);
  const batchCounts = await batchCountsByJob(
    deps.db,
    page.map((row) => row.id),
  );
  const last = page.at(-1);
  return {
    totals,
    quota,
    jobs: page.map((row) => toOpsJob(row, batchCounts.get(row.id) ?? emptyBatchCounts())),
    nextCursor:
      rows.length > query.limit && last
        ? encodeJobCursor({ createdAt: last.created_at_exact, id: last.id })
        : null,
  };
}

/** One job with every batch and its first recorded failures; 404 when there is no such job. */
export async function ingestionDetail(
  deps: Pick<OpsDeps, 'db'>,
  jobId: string,
): Promise<OpsIngestionDetailResponse> {
  const row = await findJob(deps.db, jobId);
  if (!row) throw new DomainError(404, 'job_not_found', 'no ingestion job with this id');
  const [batches, failures, counts] = await Promise.all([
    listJobBatches(deps.db, jobId),
    listJobFailures(deps.db, jobId, OPS_FAILURES_LIMIT),
    batchCountsByJob(deps.db, [jobId]),
  ]);
  return {
    job: toOpsJob(row, counts.get(jobId) ?? emptyBatchCounts()),
    batches: batches.map((batch) => ({
      seq: batch.seq,
      tier: batch.tier,
      status: batch.status,
      attempts: batch.attempts,
      generation: batch.generation,
      messageCount: batch.message_count,
      storedCount: batch.stored_count,
      failedCount: batch.failed_count,
      enqueuedAt: iso(batch.enqueued_at),
      startedAt: iso(batch.started_at),
      finishedAt: iso(batch.finished_at),
      // started_at is the first lease (leaseBatch keeps it on retries): the duration includes the retries.
      durationMs:
        batch.started_at && batch.finished_at
          ? Math.max(0, batch.finished_at.getTime() - batch.started_at.getTime())
          : null,
      lastError: batch.last_error,
    })),
    failures: failures.rows.map((failure) => ({
      seq: failure.seq,
      gmailId: failure.message_id,
      reason: failure.reason,
      createdAt: failure.created_at.toISOString(),
    })),
    failuresTotal: failures.total,
  };
}

/** Items from Google that could not be stored, counted by source and reason, and the most recent ones. */
export async function ingestFailures(deps: Pick<OpsDeps, 'db'>): Promise<OpsIngestFailuresResponse> {
  const [counts, recent] = await Promise.all([
    countIngestFailures(deps.db),
    listRecentIngestFailures(deps.db, OPS_RECENT_INGEST_FAILURES),
  ]);
  return {
    bySourceAndReason: counts,
    recent: recent.map((row) => ({
      source: row.source,
      accountEmail: row.account_email,
      itemId: row.item_id === '' ? null : row.item_id,
      reason: row.reason,
      count: row.count,
      firstSeenAt: row.first_seen_at.toISOString(),
      lastSeenAt: row.last_seen_at.toISOString(),
    })),
  };
}

/** Reads the counters `/metrics` exports; they cover this process only, since it started. */
export async function quotaUse(metrics: Metrics, now: Date): Promise<OpsQuotaUse> {
  const [units, calls] = await Promise.all([metrics.quotaUnits.get(), metrics.gmailCalls.get()]);
  const byMethod = calls.values
    .filter((value) => value.value > 0)
    .map((value) => ({
      method: String(value.labels.method ?? 'unknown'),
      status: String(value.labels.status ?? 'unknown'),
      count: value.value,
    }));
  const byStatus: Record<string, number> = {};
  for (const call of byMethod) byStatus[call.status] = (byStatus[call.status] ?? 0) + call.count;
  return {
    window: { kind: 'since_instance_start', from: metrics.startedAt.toISOString(), to: now.toISOString() },
    quotaUnits: units.values.reduce((sum, value) => sum + value.value, 0),
    gmailCalls: {
      total: byMethod.reduce((sum, call) => sum + call.count, 0),
      rateLimited: byStatus['429'] ?? 0,
      byStatus,
      byMethod,
    },
  };
}

async function opsTotals(db: Kysely<Database>): Promise<OpsTotals> {
  const [jobs, batches] = await Promise.all([countJobsByStatus(db), countBatchesByStatus(db)]);
  const jobsByStatus = zeroes(JobStatus.options);
  for (const row of jobs) jobsByStatus[row.status] = row.count;
  const batchesByStatus = zeroes(BatchStatus.options);
  for (const row of batches) batchesByStatus[row.status] = row.count;
  return {
    jobsByStatus,
    batchesByStatus,
    messagesIngested: jobs.reduce((sum, row) => sum + row.ingested, 0),
  };
}

async function batchCountsByJob(db: Kysely<Database>, jobIds: string[]) {
  const counts = new Map<string, OpsBatchCounts>();
  for (const row of await countBatchesOfJobs(db, jobIds)) {
    const job = counts.get(row.job_id) ?? emptyBatchCounts();
    counts.set(row.job_id, job);
    job.total += row.count;
    job.byStatus[row.status] += row.count;
    job.byTier[row.tier][row.status] += row.count;
  }
  return counts;
}

function emptyBatchCounts(): OpsBatchCounts {
  const byTier = Object.fromEntries(Tier.options.map((tier) => [tier, zeroes(BatchStatus.options)]));
  return { total: 0, byStatus: zeroes(BatchStatus.options), byTier: byTier as OpsBatchCounts['byTier'] };
}

function toOpsJob(row: JobRow, batches: OpsBatchCounts): OpsJob {
  return {
    id: row.id,
    userId: row.user_id,
    accountEmail: row.account_email,
    kind: row.kind,
    status: row.status,
    total: row.total,
    listed: row.listed,
    ingested: row.ingested,
    failed: row.failed,
    firstDataMs: row.first_data_ms,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: iso(row.finished_at),
    lastError: row.last_error,
    lastProgressAt: row.last_progress_at.toISOString(),
    batches,
  };
}

function zeroes<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
}

const iso = (date: Date | null) => date?.toISOString() ?? null;
