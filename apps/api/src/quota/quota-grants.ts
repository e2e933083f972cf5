/**
 * The quota port: who may spend Google quota units now. Every Google call of the product asks it first, in a
 * priority class, so one project's quota is shared by every user and every instance of a deployment.
 *
 * Two implementations: the project-wide scheduler (`QUOTA_SCHEDULER=project`, the default: state in
 * PostgreSQL, shared by every instance; priority classes, max-min fair shares within a class, a daily budget)
 * and per-user pacing alone (`QUOTA_SCHEDULER=per-user`: each user's bucket, no project plan — the behaviour
 * before the scheduler, kept as the `scale` benchmark's baseline).
 */

/** The quota a call is charged to: Gmail counts units, Calendar counts requests (one unit each). */
export type QuotaResource = 'gmail' | 'calendar';

/**
 * Priority classes, highest first. `interactive`: a person is waiting (the sign-in's first page, a user's own
 * action such as a calendar edit's write-back). `sync`: incremental and push sync, what keeps stored data
 * current. `high`: the recent tiers of a backfill (and its listing). `low`: the archive tiers.
 */
export const QUOTA_CLASSES = ['interactive', 'sync', 'high', 'low'] as const;
export type QuotaClass = (typeof QUOTA_CLASSES)[number];

export interface QuotaRequest {
  resource: QuotaResource;
  /** The user whose per-user quota the call counts against (Google keys per-user quota by the mailbox's user). */
  user: string;
  class: QuotaClass;
  /** What the caller would like to spend now. */
  units: number;
  /** The least it can use (e.g. one message of a batch); `units` when omitted (all or nothing). */
  minUnits?: number;
}

export type QuotaAnswer =
  /** `units` may be spent now (minUnits ≤ units ≤ the request's units). */
  | { granted: true; units: number }
  /**
   * Nothing now. Ask again after `retryInMs` (a batch re-enqueues itself for then instead of waiting).
   * `daily_budget`: the class's share of today's budget is spent; `retryInMs` runs to the next budget day.
   */
  | { granted: false; retryInMs: number; reason: 'quota' | 'daily_budget' | 'blocked' };

export interface QuotaGrants {
  /** Non-blocking: grants now or says when to ask again; a refusal records the demand for the next allocation. */
  tryTake(request: QuotaRequest): Promise<QuotaAnswer>;
  /** Waits until granted (short calls: first pages, syncs, listing); `signal` ends the wait (AbortError). */
  take(request: Omit<QuotaRequest, 'minUnits'>, signal?: AbortSignal): Promise<void>;
  /** Google said 429/403 rate limit: nobody spends for `user` (or, scope 'project', for anyone) for `ms`. */
  penalise(resource: QuotaResource, scope: { user: string } | 'project', ms: number): Promise<void>;
  /** The caller no longer wants units (its work is done or handed back): its demand leaves the next plan. */
  withdraw(resource: QuotaResource, user: string): Promise<void>;
  /** Units per ms one user may spend at most: the ETA's quota-limited rate. */
  readonly userRatePerMs: number;
  /**
   * Calls `listener` after each plan with the users it credited, so that work deferred until later can start
   * now (the project scheduler's turns; the per-user buckets plan nothing and never call it).
   */
  onCredited?(listener: CreditListener): void;
}

/** Told which users a plan just credited (units > 0) for `resource`. */
export type CreditListener = (resource: QuotaResource, users: string[]) => Promise<void>;
