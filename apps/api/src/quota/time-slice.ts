/**
 * Time-slicing for a bound project (pure; planTick calls it each tick). When the users asking could together take
 * more than the tick's capacity, max-min fair shares would give each of hundreds of users a sliver — a message or
 * two of credit a tick — and every sliver is a Gmail call and, for a batch, a trip through the task queue. Instead
 * each tick serves as many users as the capacity covers at their full per-tick rate, in priority-class order and
 * within a class round robin: the class's users stand in a ring (ordered by a hash of their id, so no state is
 * kept and every instance's tick sees the same ring), and each tick starts where the tick's number times the
 * users it can serve lands — one tick's served users are followed by the next ones. Over a quota window of 60
 * ticks every user of a class is served an even share of ticks. Fairness moves from one tick to the window,
 * which is what Google's quota and the user measure; grants become whole ticks of a user's rate.
 */
import { QUOTA_CLASSES, type QuotaClass } from './quota-grants.ts';

export interface SliceUser {
  user: string;
  /** The user's highest class among its demands. */
  class: QuotaClass;
  /** The most it can be credited this tick (its rate's share of the tick, less a debt, within its headroom). */
  wants: number;
}

/**
 * Turns start when an even share would be below this part of what users could take: above it, every user being
 * credited every tick keeps its batch fed whenever it comes back from the queue, which turns cannot (a turn's
 * credit waits for a batch that may be between runs); below it, slivers cost more than they carry.
 */
const SLICE_BELOW_SHARE = 0.25;

/** The backfill's classes take turns; a sync's calls are a few units each and wait for nobody's turn. */
const TURN_CLASSES: ReadonlySet<QuotaClass> = new Set(['high', 'low']);

/** FNV-1a of the subject: each user's own place in the ring. */
function placeOf(user: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < user.length; i++) {
    hash ^= user.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A turn lasts this many ticks: a batch served in turn waits in place for its next tick's credit rather than go
 * back through the task queue, so a turn costs one delivery, not one a tick — at 1,000 users, one a tick was
 * more deliveries than two cores serve, and late deliveries missed their turns. Three ticks keep a round of the
 * ring within a third of a window at ten users served for each one waiting (fair over each window).
 */
export const TURN_TICKS = 3;

/** The class's users in this turn's order (the ring by place, rotated to this turn's start), `perTick` a turn. */
function turnOrder(users: readonly SliceUser[], perTick: number, tick: number) {
  // Each user's place hashed once, not once per comparison: the tick sorts every user asking.
  const ring = users
    .map((user) => ({ user, place: placeOf(user.user) }))
    .sort((a, b) => a.place - b.place || (a.user.user < b.user.user ? -1 : 1))
    .map(({ user }) => user);
  const start = (Math.floor(tick / TURN_TICKS) * perTick) % ring.length;
  return { order: [...ring.slice(start), ...ring.slice(0, start)], perTick };
}

export interface Slice {
  /** Users served this tick and the most each may get. */
  served: Map<string, number>;
  /** Users not served: in how many ticks their turn comes (about: the capacity may change meanwhile). */
  ticksToTurn: Map<string, number>;
}

/**
 * The users served this tick and how much each may get: their whole `wants` in turn until the capacity runs out,
 * the remainder to the last one. Undefined when an even share is still worth a grant (≥ SLICE_BELOW_SHARE of what
 * users could take): then every user is served and max-min fair shares apply as they are.
 *
 * Whether to slice, and the turns, are planned on `nominal`: one tick of the project's planned rate and of one
 * user's, not on `capacity`, what is left to credit after unspent credit is held back. Credit that batches hold
 * while they fetch says nothing about how many users the project's rate can feed: deciding on it turned a few
 * users' even shares into turns whenever their batches held credit.
 */
export function usersServed(
  users: readonly SliceUser[],
  capacity: number,
  tick: number,
  nominal: { project: number; user: number },
): Slice | undefined {
  const rateCapacity = nominal.project;
  const fullRate = nominal.user;
  // Syncs (small, and what keeps stored data current) keep max-min shares every tick, ahead of the backfill.
  const syncing = users.filter((u) => u.wants > 0 && !TURN_CLASSES.has(u.class));
  // Every backfilling user stays in the ring, also one whose allowance is full this tick (wants 0: its batch
  // has not spent its credit yet): a ring that dropped and re-added users every tick shifted everyone behind
  // them, and the turns it had told them came early or late. For the same reason the ring turns by what a user
  // takes at its full rate, not by what these users happen to want this tick.
  const bulk = users.filter((u) => TURN_CLASSES.has(u.class));
  const syncWants = syncing.reduce((sum, u) => sum + u.wants, 0);
  if (bulk.length * fullRate * SLICE_BELOW_SHARE <= Math.max(0, rateCapacity - syncWants)) return undefined;
  let left = capacity - syncWants;
  // The ring turns by what the project's rate serves a tick, not by what this tick has left: held-back credit
  // varies from tick to tick, and a ring that turned by it would make the turns it told users come early or late.
  let rateLeft = rateCapacity - syncWants;
  const slice: Slice = { served: new Map(syncing.map((u) => [u.user, u.wants])), ticksToTurn: new Map() };
  let ahead = 0; // ticks of the classes above (all of theirs come first)
  const intoTurn = tick % TURN_TICKS; // ticks of the current turn already gone
  for (const cls of QUOTA_CLASSES) {
    const ofClass = bulk.filter((u) => u.class === cls);
    if (ofClass.length === 0) continue;
    const classRate = Math.max(rateLeft, rateCapacity / ofClass.length);
    const { order, perTick } = turnOrder(ofClass, Math.max(1, Math.floor(classRate / fullRate)), tick);
    order.forEach((user, index) => {
      if (index < perTick || left > 0) {
        // In its turn (or given what the turn's users left): credited up to what it can hold.
        if (left > 0 && user.wants > 0) {
          slice.served.set(user.user, Math.min(user.wants, left));
          left -= user.wants;
        }
      } else {
        const turnsAway = Math.floor(index / perTick);
        slice.ticksToTurn.set(user.user, ahead + Math.max(1, turnsAway * TURN_TICKS - intoTurn));
      }
    });
    rateLeft -= Math.min(order.length, perTick) * fullRate;
    ahead += Math.ceil(order.length / perTick) * TURN_TICKS;
  }
  return slice;
}
