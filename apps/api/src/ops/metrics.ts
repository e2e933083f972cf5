import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { batchCountsByStatusAndTier, failureCountsByReason, jobCountsByStatus } from './ops-repository.ts';
import { registerQuotaGauges } from './quota-gauges.ts';

/**
 * Prometheus metrics (`GET /metrics`). One registry per app instance (tests build many apps in one process).
 * Batch counts by status and tier are read from the database at scrape time: the database is the truth.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Counters start at zero here: the window the ops API's quota use covers. */
  readonly startedAt = new Date();

  readonly messagesIngested = new Counter({
    name: 'firstlight_messages_ingested_total',
    help: 'Messages stored by the backfill and sync',
    labelNames: ['path'] as const,
    registers: [this.registry],
  });

  readonly gmailCalls = new Counter({
    name: 'firstlight_gmail_calls_total',
    help: 'Gmail API calls (a batch part counts as one call) by method and HTTP status',
    labelNames: ['method', 'status'] as const,
    registers: [this.registry],
  });

  readonly quotaUnits = new Counter({
    name: 'firstlight_gmail_quota_units_total',
    help: 'Gmail quota units spent (Google unit costs)',
    registers: [this.registry],
  });

  readonly quotaGranted = new Counter({
    name: 'firstlight_quota_granted_units_total',
    help: 'Quota units the quota scheduler granted on this instance, by resource and priority class',
    labelNames: ['resource', 'class'] as const,
    registers: [this.registry],
  });

  readonly quotaRefusals = new Counter({
    name: 'firstlight_quota_refusals_total',
    help: 'Quota requests refused (ask again later), by resource, class and reason (quota, daily_budget, blocked)',
    labelNames: ['resource', 'class', 'reason'] as const,
    registers: [this.registry],
  });

  readonly backoffs = new Counter({
    name: 'firstlight_google_backoffs_total',
    help: 'Waits after a rate limit (429/403) or a transient failure',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly batchDuration = new Histogram({
    name: 'firstlight_batch_duration_seconds',
    help: 'Time from lease to done of a 1000-message batch',
    labelNames: ['tier'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  readonly timeToFirstData = new Histogram({
    name: 'firstlight_time_to_first_data_seconds',
    help: 'From the OAuth callback to the first page stored',
    buckets: [0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5],
    registers: [this.registry],
  });

  readonly queueLag = new Histogram({
    name: 'firstlight_queue_lag_seconds',
    help: 'From a task being enqueued to its handler starting',
    labelNames: ['kind'] as const,
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 1800],
    registers: [this.registry],
  });

  constructor(db?: Kysely<Database>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'firstlight_' });
    if (!db) return;
    registerQuotaGauges(this.registry, db);
    new Gauge({
      name: 'firstlight_batches',
      help: 'Ingestion batches by status and tier',
      labelNames: ['status', 'tier'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await batchCountsByStatusAndTier(db);
        this.reset();
        for (const row of rows) this.set({ status: row.status, tier: row.tier }, Number(row.count));
      },
    });
    new Gauge({
      name: 'firstlight_ingest_failures',
      help: 'Items from Google that could not be stored or were skipped (distinct items), by source and reason',
      labelNames: ['source', 'reason'] as const,
      registers: [this.registry],
      async collect() {
        // Reasons are few by construction (a field and zod's message, or a SQLSTATE; never a value).
        const rows = await failureCountsByReason(db);
        this.reset();
        for (const row of rows) this.set({ source: row.source, reason: row.reason }, Number(row.count));
      },
    });
    new Gauge({
      name: 'firstlight_ingestion_jobs',
      help: 'Mailbox ingestion jobs by status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await jobCountsByStatus(db);
        this.reset();
        for (const row of rows) this.set({ status: row.status }, Number(row.count));
      },
    });
  }
}
