import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { QuotaConfig } from '../config.ts';
import { ProjectQuotaScheduler, type QuotaObserver } from './project-scheduler.ts';
import type { QuotaGrants } from './quota-grants.ts';
import { QuotaTickLoop } from './quota-tick-loop.ts';

/** Builds the per-user implementation (quota/per-user-grants.ts), which this module does not own. */
export type PerUserGrantsFactory = (config: QuotaConfig, db: Kysely<Database>) => QuotaGrants;

export interface QuotaGrantsDeps {
  observer?: QuotaObserver;
  log: { error(object: unknown, message: string): void };
  perUser?: PerUserGrantsFactory;
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
    if (!deps.perUser) throw new Error('QUOTA_SCHEDULER=per-user needs quota/per-user-grants.ts wired in');
    return { grants: deps.perUser(config, db), loop: undefined };
  }
  const scheduler = new ProjectQuotaScheduler({
    db,
    config,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });
  return { grants: scheduler, loop: new QuotaTickLoop(scheduler, deps.log) };
}
