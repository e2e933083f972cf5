import type { MailPacing } from '../providers/index.ts';
import type { QuotaClass, QuotaGrants } from '../quota/index.ts';
import type { Pacer } from './pacer.ts';

/** Units a batch's grant paid for: the calls of that chunk draw from them, so nothing is charged twice. */
export class Prepaid {
  #units = 0;

  add(units: number): void {
    this.#units += units;
  }

  /** True (and debited) when the grant covers `units`. */
  draw(units: number): boolean {
    if (this.#units < units) return false;
    this.#units -= units;
    return true;
  }
}

/**
 * How a caller pays for its Gmail calls: the port's blocking `take`, in the caller's class (the lister's
 * listing, incremental sync: short calls). With `prepaid`, a batch's calls draw from the grant the batch took
 * (batch-fetch.ts) and only a call the grant does not cover asks the port: a retry after a 429, which waits
 * out the user's penalty with the parts of its chunk already fetched in hand — handing the batch back there
 * would throw them away and, at a few 429s a chunk, fetch the same chunk again and again.
 */
export type PacingMode = { class: QuotaClass; prepaid?: Prepaid };

/** The MailPacing of one user: the per-process concurrency cap around the quota port. */
export function quotaPacing(
  deps: { quota: QuotaGrants; pacer: Pacer },
  user: string,
  mode: PacingMode,
): MailPacing {
  const request = (units: number) => ({ resource: 'gmail' as const, user, class: mode.class, units });
  const pay = async (units: number, signal?: AbortSignal) => {
    if (units <= 0) return;
    if (mode.prepaid?.draw(units)) return;
    await deps.quota.take(request(units), signal);
  };
  return {
    run: (units, call, signal) =>
      deps.pacer.run(
        user,
        async () => {
          await pay(units, signal);
          return call();
        },
        signal,
      ),
    penalise: (ms) => deps.quota.penalise('gmail', { user }, ms),
  };
}
