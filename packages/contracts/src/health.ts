import { z } from 'zod';

/** `GET /healthz`: the process is up. Says nothing about its dependencies. */
export const LivenessResponse = z.object({
  status: z.literal('ok'),
  uptimeSeconds: z.number().nonnegative(),
});
export type LivenessResponse = z.infer<typeof LivenessResponse>;

export const ReadinessCheck = z.object({
  ok: z.boolean(),
  /** Why the check failed; absent when ok. */
  error: z.string().optional(),
});

/** `GET /readyz`: 200 when the database answers and every migration is applied, else 503. */
export const ReadinessResponse = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({
    database: ReadinessCheck.extend({ latencyMs: z.number().nonnegative().optional() }),
    migrations: ReadinessCheck.extend({
      applied: z.number().int().nonnegative(),
      pending: z.array(z.string()),
    }),
  }),
});
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
