import { randomUUID } from 'node:crypto';

/** Polls a synchronous condition (set by a test's dispatcher) every 50 ms; the test's timeout bounds it. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** A low-tier batch task of that name, with a payload that passes the contract. */
export const task = (name: string) => ({
  kind: 'mail-batch' as const,
  queue: 'ingest-low' as const,
  name,
  payload: { jobId: randomUUID(), seq: 1, generation: 0 },
});
