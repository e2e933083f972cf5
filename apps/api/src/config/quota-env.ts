import { z } from 'zod';

/** The quota scheduler's environment variables (README.md § Configuration), merged into env-schema.ts. */

const count = (fallback: number) =>
  z.coerce.number({ error: 'must be a number' }).int().min(1).default(fallback);
const fraction = z.coerce.number({ error: 'must be a number' }).min(0).max(1);
const CLASS_SHARES_PATTERN =
  /^(interactive|sync|high|low)=(0(\.\d+)?|1(\.0+)?)(,(interactive|sync|high|low)=(0(\.\d+)?|1(\.0+)?))*$/;

export const QuotaEnvSchema = z.object({
  QUOTA_SCHEDULER: z.enum(['project', 'per-user']).default('project'),
  /** Gmail's per-project quota per window (Google: 1,200,000 units a minute). */
  GMAIL_PROJECT_QUOTA_UNITS: count(1_200_000),
  /** Units a day before charges apply (Google since May 2026: 80,000,000). */
  GMAIL_DAILY_UNITS: count(80_000_000),
  CALENDAR_PROJECT_QUOTA_REQUESTS: count(10_000),
  CALENDAR_QUOTA_REQUESTS: count(600),
  CALENDAR_DAILY_REQUESTS: count(1_000_000),
  QUOTA_INTERACTIVE_RESERVE: fraction.max(0.5).default(0.05),
  /** Each class's share of the daily budget: past it the class waits for the next UTC day. */
  QUOTA_DAILY_CLASS_SHARES: z
    .string()
    .regex(CLASS_SHARES_PATTERN, 'must look like interactive=1,sync=1,high=0.9,low=0.75')
    .default('interactive=1,sync=1,high=0.9,low=0.75'),
  /** How often each instance tries to plan (default: the quota window / 60, at least 100 ms). */
  QUOTA_TICK_MS: z.coerce.number({ error: 'must be a number' }).int().min(20).max(60_000).optional(),
});
