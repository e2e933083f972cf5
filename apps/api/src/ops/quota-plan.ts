import { type OpsQuotaPlanResponse, QuotaClassName } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { QuotaConfig } from '../config.ts';
import { quotaEfficiencyTotals, quotaUsageToday } from './quota-plan-repository.ts';

const RESOURCES = ['gmail', 'calendar'] as const;

/** Today's budget per resource and class, and what a stored message and an onboarded user cost in units. */
export async function quotaPlan(db: Kysely<Database>, config: QuotaConfig): Promise<OpsQuotaPlanResponse> {
  const [usage, totals] = await Promise.all([quotaUsageToday(db), quotaEfficiencyTotals(db)]);
  const day = usage[0]?.day ?? new Date().toISOString().slice(0, 10);
  const resources = RESOURCES.map((resource) => {
    const units = (cls: string) =>
      usage
        .filter((row) => row.resource === resource && row.class === cls)
        .reduce((s, row) => s + Number(row.units), 0);
    const usedToday = QuotaClassName.options.reduce((sum, cls) => sum + units(cls), 0);
    const dailyBudget = config[resource].dailyUnits;
    return {
      resource,
      dailyBudget,
      usedToday,
      byClass: QuotaClassName.options.map((cls) => {
        const limit = dailyBudget * config.dailyClassShares[cls];
        return { class: cls, units: units(cls), limit, waitingForTomorrow: usedToday >= limit };
      }),
    };
  });
  return {
    scheduler: config.scheduler,
    day,
    resources,
    unitsPerMessage: totals.messages > 0 ? totals.units / totals.messages : null,
    unitsPerOnboardedUser: totals.users > 0 ? totals.units / totals.users : null,
  };
}
