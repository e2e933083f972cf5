/**
 * The pure core of the project scheduler: who gets how much of one tick's capacity. No I/O, no clock — the
 * scheduler's tick and the `scale` benchmark's discrete-event simulation call the same function.
 *
 * Rules, in order:
 * 1. Priority classes in `QUOTA_CLASSES` order: a class gets only what every higher class could not use.
 * 2. Within a class, max-min fair share among users (water-filling): a user that wants less than an even share
 *    gets all it wants, the rest is split evenly among the others.
 * 3. A user never gets more than `userCap(user)` summed over all its demands of every class (Google's
 *    per-user quota binds whatever the project has left).
 * 4. The sum of grants never exceeds `capacity`.
 * Units are real numbers (allowances hold fractions), so an even split loses nothing to rounding.
 */
import { QUOTA_CLASSES, type QuotaClass } from './quota-grants.ts';

export interface AllocationDemand {
  /** Unique per demand: the grant's key in the answer. */
  key: string;
  user: string;
  class: QuotaClass;
  /** Units it still wants this tick. */
  wants: number;
}

export interface AllocationInput {
  /** Units to hand out this tick (the project's rate × elapsed, less what is held back). */
  capacity: number;
  demands: readonly AllocationDemand[];
  /** Units one user may receive this tick over all its demands (its per-user rate × elapsed). */
  userCap: (user: string) => number;
}

interface Claim {
  id: string;
  limit: number;
}

/**
 * Max-min fair split of `capacity` among claims: claims below the water level get their limit, the others get
 * the level. Sorted ascending so each claim's comparison sees the level the larger ones would share.
 */
export function waterFill(capacity: number, claims: readonly Claim[]): Map<string, number> {
  const shares = new Map<string, number>();
  const sorted = [...claims].sort((a, b) => a.limit - b.limit);
  let left = Math.max(0, capacity);
  for (let i = 0; i < sorted.length; i++) {
    const claim = sorted[i]!;
    const level = left / (sorted.length - i);
    const share = Math.max(0, Math.min(claim.limit, level));
    shares.set(claim.id, share);
    left = Math.max(0, left - share);
  }
  return shares;
}

const positive = (n: number) => (Number.isFinite(n) || n === Number.POSITIVE_INFINITY ? Math.max(0, n) : 0);

function demandsByUser(
  demands: readonly AllocationDemand[],
  cls: QuotaClass,
): Map<string, AllocationDemand[]> {
  const byUser = new Map<string, AllocationDemand[]>();
  for (const demand of demands) {
    if (demand.class !== cls) continue;
    const own = byUser.get(demand.user);
    if (own) own.push(demand);
    else byUser.set(demand.user, [demand]);
  }
  return byUser;
}

/** Grants per demand key (every key present, 0 for a demand that gets nothing). */
export function allocate({ capacity, demands, userCap }: AllocationInput): Map<string, number> {
  const grants = new Map<string, number>(demands.map((d) => [d.key, 0]));
  const capLeft = new Map<string, number>();
  const userLeft = (user: string) => {
    if (!capLeft.has(user)) capLeft.set(user, positive(userCap(user)));
    return capLeft.get(user)!;
  };
  let left = Math.max(0, Number.isFinite(capacity) ? capacity : 0);
  for (const cls of QUOTA_CLASSES) {
    if (left <= 0) break;
    const byUser = demandsByUser(demands, cls);
    const claims = [...byUser].map(([user, own]) => ({
      id: user,
      limit: Math.min(
        own.reduce((sum, d) => sum + positive(d.wants), 0),
        userLeft(user),
      ),
    }));
    for (const [user, share] of waterFill(left, claims)) {
      left = Math.max(0, left - share);
      capLeft.set(user, Math.max(0, userLeft(user) - share));
      // A user with several demands in one class: its share is split among them the same fair way.
      const own = byUser.get(user)!;
      for (const [key, units] of waterFill(
        share,
        own.map((d) => ({ id: d.key, limit: positive(d.wants) })),
      )) {
        grants.set(key, (grants.get(key) ?? 0) + units);
      }
    }
  }
  return grants;
}
