import { type OpsQuotaPlanResponse, QuotaClassName } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import type { QuotaConfig } from '../config.ts';
import type { Metrics } from './metrics.ts';
import {
  quotaDayEnd,
  quotaDemandsByClass,
  quotaEfficiencyTotals,
  quotaUsageToday,
  quotaWindowState,
} from './quota-plan-repository.ts';

const RESOURCES = ['gmail', 'calendar'] as const;

type Usage = Awaited<ReturnType<typeof quotaUsageToday>>;
type Demands = Awaited<ReturnType<typeof quotaDemandsByClass>>;
type WindowState = Awaited<ReturnType<typeof quotaWindowState>>[number];

/**
 * Today's budget per resource and class, what waits now and what the scheduler plans per window, and what a
 * stored message and an onboarded user cost in units. Every figure but `rateLimited` comes from the database:
 * the whole deployment, not this instance.
 */
export async function quotaPlan(
  db: Kysely<Database>,
  config: QuotaConfig,
  metrics?: Metrics,
): Promise<OpsQuotaPlanResponse> {
  const [usage, totals, demands, windows, resetsAt, rateLimited] = await Promise.all([
    quotaUsageToday(db),
    quotaEfficiencyTotals(db),
    quotaDemandsByClass(db),
    quotaWindowState(db),
    quotaDayEnd(db),
    metrics ? rateLimitedHere(metrics) : undefined,
  ]);
  const day = usage[0]?.day ?? new Date().toISOString().slice(0, 10);
  return {
    scheduler: config.scheduler,
    day,
    resetsAt: resetsAt.toISOString(),
    resources: RESOURCES.map((resource) =>
      resourcePlan(
        resource,
        config,
        { usage, demands },
        windows.find((w) => w.resource === resource),
      ),
    ),
    unitsPerMessage: totals.messages > 0 ? totals.units / totals.messages : null,
    unitsPerOnboardedUser: totals.users > 0 ? totals.units / totals.users : null,
    ...(rateLimited ? { rateLimited } : {}),
  };
}

function resourcePlan(
  resource: (typeof RESOURCES)[number],
  config: QuotaConfig,
  rows: { usage: Usage; demands: Demands },
  state: WindowState | undefined,
): OpsQuotaPlanResponse['resources'][number] {
  const units = (cls: string) =>
    rows.usage
      .filter((row) => row.resource === resource && row.class === cls)
      .reduce((s, row) => s + Number(row.units), 0);
  const usedToday = QuotaClassName.options.reduce((sum, cls) => sum + units(cls), 0);
  const quota = config[resource];
  return {
    resource,
    dailyBudget: quota.dailyUnits,
    usedToday,
    byClass: QuotaClassName.options.map((cls) => {
      const limit = quota.dailyUnits * config.dailyClassShares[cls];
      const demand = rows.demands.find((d) => d.resource === resource && d.class === cls);
      return {
        class: cls,
        units: units(cls),
        limit,
        waitingForTomorrow: usedToday >= limit,
        demand: { users: demand?.users ?? 0, units: demand?.units ?? 0 },
      };
    }),
    window: {
      projectLimit: quota.projectUnits,
      userLimit: quota.userUnits,
      windowMs: quota.windowMs,
      utilisation: quota.utilisation,
      plannedPerWindow: (state?.ratePerMs ?? 0) * quota.windowMs,
      projectHeldUntil: state?.heldUntil?.toISOString() ?? null,
      usersHeld: state?.usersHeld ?? 0,
    },
  };
}

async function rateLimitedHere(metrics: Metrics) {
  const calls = await metrics.gmailCalls.get();
  const thisInstance = calls.values
    .filter((value) => String(value.labels.status) === '429')
    .reduce((sum, value) => sum + value.value, 0);
  return { thisInstance, since: metrics.startedAt.toISOString() };
}
