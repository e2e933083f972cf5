import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { Metrics } from '../ops/index.ts';
import type { MailProviders } from '../providers/index.ts';
import type { QuotaGrants } from '../quota/index.ts';
import type { EventBus } from '../realtime/index.ts';
import type { TaskQueue } from '../tasks/index.ts';
import type { Pacer } from './pacer.ts';

export interface BackfillSettings {
  /** Messages per batch row and task (ARCHITECTURE §3: 1000). */
  batchSize: number;
  /** Parts per Gmail batch request (Google advises ≤ 50). */
  partsPerRequest: number;
  /** Gmail batch requests in flight per user within one batch (bounded again by the pacer's cap). */
  requestsInFlight: number;
  /** messages.list page size (max 500). */
  listPageSize: number;
  /** A batch, lister or sync lease; renewed every `leaseRenewEveryMs` while the work runs (heartbeat). */
  leaseMs: number;
  /** The heartbeat's period, and the lease sweep's: expired leases and dead owners are found this often. */
  leaseRenewEveryMs: number;
  /** Attempts of one Google call before the task is handed back to the queue. */
  callAttempts: number;
  /** An enqueued task not started after this long is re-enqueued under a new generation. */
  reenqueueAfterMs: number;
  /** A job without progress for this long is marked `stalled`. */
  stallAfterMs: number;
  /**
   * A batch refused quota for at most this long waits in place; longer, it gives its worker back and is
   * enqueued again for then. Below a trip through the queue (a poll, a lease), so it never holds a worker for
   * Google's real windows (a user's refill is seconds, the scheduler's tick 1 s); time-scaled tests wait here.
   */
  waitInPlaceMs: number;
  /** Quota-limited rate, for the ETA: units per ms the quota allows one user. */
  unitsPerMs: number;
}

export interface BackfillLog {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface BackfillDeps {
  db: Kysely<Database>;
  bus: EventBus;
  queue: TaskQueue;
  /** Google quota: every Gmail call of the core asks it, in its class (quota/quota-grants.ts). */
  quota: QuotaGrants;
  /** The per-process per-user cap on concurrent calls (and the yield to sign-ins in progress). */
  pacer: Pacer;
  /** Mail adapters by `accounts.provider`: the core reaches a mailbox only through them. */
  mail: MailProviders;
  metrics: Metrics;
  settings: BackfillSettings;
  log: BackfillLog;
  /** This process's id: the owner its leases record (see InstanceLiveness). */
  instanceId: string;
}
