import { taskName } from '../tasks/index.ts';
import type { BackfillDeps } from './backfill-deps.ts';
import { syncableAccountIds } from './sync-repository.ts';

/**
 * The polling side of incremental sync: one `mail-sync` task per synced account per time slot. The name is
 * derived from (account, slot), so every API instance may run this on its own timer and the queue keeps one
 * task a slot (a duplicate name is refused, as Cloud Tasks' ALREADY_EXISTS).
 *
 * Production should be driven by push: `users.watch` on the account (renewed daily; a watch lapses after 7 days)
 * with Pub/Sub notifications enqueueing a sync as mail arrives. Google drops or delays some notifications
 * (GOOGLE-FACTS, Push), so this poll stays as the backstop at a slower period.
 */
export async function enqueueSyncs(
  deps: Pick<BackfillDeps, 'db' | 'queue' | 'log'>,
  everyMs: number,
  now = Date.now(),
): Promise<number> {
  const slot = Math.floor(now / everyMs);
  let accepted = 0;
  for (const accountId of await syncableAccountIds(deps.db)) {
    try {
      const result = await deps.queue.enqueue({
        kind: 'mail-sync',
        // Small and latency-sensitive (new mail): ahead of the backfill's low tier.
        queue: 'ingest-high',
        name: taskName('mail-sync', accountId, slot),
        payload: { accountId, slot },
      });
      if (result.accepted) accepted++;
    } catch (error) {
      // The next slot enqueues again: a missed poll only delays new mail by one period.
      deps.log.warn({ err: error, accountId, slot }, 'sync enqueue failed');
    }
  }
  return accepted;
}
