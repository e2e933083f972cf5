import { z } from 'zod';

/**
 * One case of a recurrence conformance file (format: conformance/README.md). Local times are
 * wall-clock `YYYY-MM-DDTHH:MM:SS` in `tzid`; `expected_utc` are the same occurrences as instants.
 */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/, 'a local date-time YYYY-MM-DDTHH:MM:SS');

export const ConformanceCase = z.object({
  name: z.string().min(1),
  dtstart: localDateTime,
  tzid: z.string().min(1),
  rrule: z.string().min(1),
  exdate: z.array(localDateTime).default([]),
  rdate: z.array(localDateTime).default([]),
  expected: z.array(localDateTime),
  expected_utc: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)).optional(),
  truncated: z.boolean().default(false),
  listed_count: z.number().int().nonnegative().optional(),
  expected_alt_skip: z.array(localDateTime).optional(),
  source: z.string().optional(),
  rule_explained: z.string().optional(),
});
export type ConformanceCase = z.infer<typeof ConformanceCase>;

export const ConformanceFile = z.array(ConformanceCase).min(1, 'a conformance file holds at least one case');
