import fp from 'fastify-plugin';
import type { Metrics } from '../ops/index.ts';
import { createQuotaGrants } from './create-quota-grants.ts';
import type { QuotaGrants } from './quota-grants.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who may spend Google quota now: every Google call of this instance asks it (quota-grants.ts). */
    quota: QuotaGrants;
  }
}

/**
 * Decorates `app.quota` with the implementation `QUOTA_SCHEDULER` names; the project scheduler's tick loop runs
 * while the app is ready (every instance runs one; the clock row decides who plans each tick).
 */
export const quotaCapability = fp(
  async (app) => {
    const { grants, loop } = createQuotaGrants(app.config.quota, app.db, {
      observer: quotaObserver(app.metrics),
      log: app.log,
    });
    app.decorate('quota', grants);
    if (loop) {
      app.addHook('onReady', async () => loop.start());
      app.addHook('onClose', async () => loop.stop());
    }
  },
  { name: 'quota', dependencies: ['platform'] },
);

/** Granted units by class and refusals by reason, as Prometheus counters. */
function quotaObserver(metrics: Metrics) {
  return {
    granted: (resource: string, cls: string, units: number) =>
      metrics.quotaGranted.inc({ resource, class: cls }, units),
    refused: (resource: string, cls: string, reason: string) =>
      metrics.quotaRefusals.inc({ resource, class: cls, reason }),
  };
}
