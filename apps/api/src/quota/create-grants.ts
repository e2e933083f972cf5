import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { PerUserGrants, type PerUserQuota } from './per-user-grants.ts';
import { PostgresBudgetStore } from './quota-budget-repository.ts';
import type { QuotaGrants } from './quota-grants.ts';

/** `QUOTA_SCHEDULER`: the project-wide scheduler, or per-user pacing alone (the benchmark's baseline). */
export const QUOTA_SCHEDULERS = ['project', 'per-user'] as const;
export type QuotaSchedulerKind = (typeof QUOTA_SCHEDULERS)[number];

export interface QuotaGrantsSettings {
  scheduler: QuotaSchedulerKind;
  /** Each user's Gmail quota (GMAIL_QUOTA_UNITS, GMAIL_QUOTA_WINDOW_MS, GMAIL_QUOTA_UTILISATION). */
  gmail: PerUserQuota;
}

/** The quota port this instance's Google calls ask, as configured. */
export function createQuotaGrants(db: Kysely<Database>, settings: QuotaGrantsSettings): QuotaGrants {
  switch (settings.scheduler) {
    case 'per-user':
      return new PerUserGrants(new PostgresBudgetStore(db), { gmail: settings.gmail });
    case 'project':
      // The scheduler's branch adds ProjectQuotaScheduler here.
      throw new Error('QUOTA_SCHEDULER=project: the project scheduler is not built into this version');
  }
}
