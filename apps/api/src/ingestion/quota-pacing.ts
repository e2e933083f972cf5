import type { MailPacing } from '../providers/index.ts';
import type { QuotaAnswer, QuotaClass, QuotaGrants } from '../quota/index.ts';
import type { Pacer } from './pacer.ts';

type Refusal = Extract<QuotaAnswer, { granted: false }>;

/** The quota said "not now" to a batch: it hands itself back and asks again after `retryInMs`. */
export class QuotaDeferred extends Error {
  constructor(readonly refusal: Refusal) {
    super(`waiting for quota (${refusal.reason}), again in ${refusal.retryInMs} ms`);
    this.name = 'QuotaDeferred';
  }
}

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
 * How a caller pays for its Gmail calls. `take`: the port's blocking take, in the caller's class (the lister's
 * listing, incremental sync: short calls). `prepaid`: a batch's calls draw from the grant it took; a call the
 * grant does not cover (a retry after a 429) asks the port once more without waiting, and a refusal throws
 * QuotaDeferred, so the batch gives its worker back rather than wait.
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
    if (!mode.prepaid) return deps.quota.take(request(units), signal);
    if (mode.prepaid.draw(units)) return;
    const answer = await deps.quota.tryTake(request(units));
    if (!answer.granted) throw new QuotaDeferred(answer);
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
