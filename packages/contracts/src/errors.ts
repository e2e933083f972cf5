import { z } from 'zod';

/** Every 4xx/5xx body of the API. `code` is stable and machine-readable; `message` is for people. */
export const ApiError = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Which inputs were wrong, for validation errors. */
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
