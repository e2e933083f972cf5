/**
 * What onboarding hands the rest of the mailbox to. The background backfill (lister + batches through the task
 * queue, ARCHITECTURE §3 steps 4–6) implements it; until then `deferredBackfill` only records the job, which
 * stays `pending` with its first page counted, so progress is honest rather than 'syncing' forever.
 */
export interface BackfillStarter {
  start(job: { jobId: string; userId: string; accountId: string; firstPageIds: string[] }): Promise<void>;
}

export const deferredBackfill: BackfillStarter = {
  async start() {},
};
