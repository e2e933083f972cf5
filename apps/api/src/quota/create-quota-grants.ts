import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { QuotaConfig, ResourceQuota } from '../config.ts';
import { PerUserGrants } from './per-user-grants.ts';
import { ProjectQuotaScheduler, type QuotaObserver } from './project-scheduler.ts';
import { PostgresBudgetStore } from './quota-budget-repository.ts';
import type { QuotaGrants } from './quota-grants.ts';
import { QuotaTickLoop } from './quota-tick-loop.ts';

export interface QuotaGrantsDeps {
  observer?: QuotaObserver;
  log: { error(object: unknown, message: string): void };
}

/**
 * The implementation `QUOTA_SCHEDULER` names. `project`: the project-wide scheduler and the tick loop the caller
 * starts and stops with the app. `per-user`: each user's bucket alone, no loop.
 */
export function createQuotaGrants(
  config: QuotaConfig,
  db: Kysely<Database>,
  deps: QuotaGrantsDeps,
): { grants: QuotaGrants; loop: QuotaTickLoop | undefined } {
  if (config.scheduler === 'per-user') {
    const perUser = ({ userUnits, windowMs, utilisation }: ResourceQuota) => ({
      unitsPerWindow: userUnits,
      windowMs,
      utilisation,
    });
    const grants = new PerUserGrants(new PostgresBudgetStore(db), {
      gmail: perUser(config.gmail),
      calendar: perUser(config.calendar),
    });
    return { grants, loop: undefined };
  }
  const scheduler = new ProjectQuotaScheduler({
    db,
    config,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
  return { grants: scheduler, loop: new QuotaTickLoop(scheduler, deps.log) };
}
