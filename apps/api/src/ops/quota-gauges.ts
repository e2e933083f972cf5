import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import { quotaEfficiencyTotals, quotaUsageToday } from './quota-plan-repository.ts';

/**
 * The shared quota's figures, read from the database at scrape time (every instance's grants, not this one's):
 * today's units per resource and class, and Gmail units per stored message and per onboarded user.
 */
export function registerQuotaGauges(registry: Registry, db: Kysely<Database>): void {
  new Gauge({
    name: 'firstlight_quota_daily_units',
    help: 'Units granted today (UTC) by the quota scheduler, every instance, by resource and class',
    labelNames: ['resource', 'class'] as const,
    registers: [registry],
    async collect() {
      const rows = await quotaUsageToday(db);
      this.reset();
      for (const row of rows) {
        if (row.resource) this.set({ resource: row.resource, class: row.class }, Number(row.units));
      }
    },
  });
  const ratio = (
    name: string,
    help: string,
    pick: (t: Awaited<ReturnType<typeof quotaEfficiencyTotals>>) => number | null,
  ) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = pick(await quotaEfficiencyTotals(db));
        this.reset();
        if (value !== null) this.set(value);
      },
    });
  ratio(
    'firstlight_quota_units_per_message',
    'Gmail units granted per stored message (listing included)',
    (t) => (t.messages > 0 ? t.units / t.messages : null),
  );
  ratio(
    'firstlight_quota_units_per_onboarded_user',
    'Gmail units granted per user with a mailbox backfill',
    (t) => (t.users > 0 ? t.units / t.users : null),
  );
}
