import type { EnvVars } from './env-schema.ts';

/**
 * The quota classes as config knows them: the same list as quota/quota-grants.ts `QUOTA_CLASSES` (config is below
 * every capability folder, so it cannot import it; the scheduler's indexing by `QuotaClass` fails to compile if
 * the two ever differ).
 */
const CLASS_NAMES = ['interactive', 'sync', 'high', 'low'] as const;
type QuotaClassName = (typeof CLASS_NAMES)[number];

/** One Google quota as the scheduler plans it: per window for the project and per user, and per UTC day. */
export interface ResourceQuota {
  projectUnits: number;
  userUnits: number;
  windowMs: number;
  /** The share of each limit planned for (GMAIL_QUOTA_UTILISATION): the margin absorbs clock skew and bursts. */
  utilisation: number;
  dailyUnits: number;
}

/** The quota settings (config.ts parses them from the environment; README § Configuration). */
export interface QuotaConfig {
  scheduler: 'project' | 'per-user';
  gmail: ResourceQuota;
  calendar: ResourceQuota;
  /** Share of the project rate held for the interactive class. */
  interactiveReserve: number;
  /** Each class's share of the daily budget. */
  dailyClassShares: Record<QuotaClassName, number>;
  /** How often each instance tries to plan. */
  tickMs: number;
}

export function quotaConfig(vars: EnvVars): QuotaConfig {
  const shares = Object.fromEntries(
    vars.QUOTA_DAILY_CLASS_SHARES.split(',').map((entry) => {
      const [cls, share] = entry.split('=');
      return [cls, Number(share)];
    }),
  );
  const window = vars.GMAIL_QUOTA_WINDOW_MS;
  return {
    scheduler: vars.QUOTA_SCHEDULER,
    gmail: {
      projectUnits: vars.GMAIL_PROJECT_QUOTA_UNITS,
      userUnits: vars.GMAIL_QUOTA_UNITS,
      windowMs: window,
      utilisation: vars.GMAIL_QUOTA_UTILISATION,
      dailyUnits: vars.GMAIL_DAILY_UNITS,
    },
    // Calendar's quotas are per minute too; one window keeps a time-scaled test scaling both.
    calendar: {
      projectUnits: vars.CALENDAR_PROJECT_QUOTA_REQUESTS,
      userUnits: vars.CALENDAR_QUOTA_REQUESTS,
      windowMs: window,
      utilisation: vars.GMAIL_QUOTA_UTILISATION,
      dailyUnits: vars.CALENDAR_DAILY_REQUESTS,
    },
    interactiveReserve: vars.QUOTA_INTERACTIVE_RESERVE,
    // A class left out of the list keeps the whole budget.
    dailyClassShares: Object.fromEntries(CLASS_NAMES.map((cls) => [cls, shares[cls] ?? 1])) as Record<
      QuotaClassName,
      number
    >,
    tickMs: vars.QUOTA_TICK_MS ?? Math.max(100, Math.round(window / 60)),
  };
}
