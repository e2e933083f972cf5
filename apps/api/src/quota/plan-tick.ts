/**
 * One tick's plan, pure: from the demands and the time since the last tick to the credits per user and the
 * reserve's refill. The scheduler runs it inside the tick's transaction (quota-repository.ts `tick`).
 */
import { allocate } from './allocate.ts';
import { QUOTA_CLASSES, type QuotaClass } from './quota-grants.ts';
import type { TickDemand } from './quota-tick-repository.ts';
import { type SliceUser, usersServed } from './time-slice.ts';

export interface TickRates {
  /** The project's planned rate: its limit per window × the utilisation target, per ms. */
  projectRatePerMs: number;
  /** One user's planned rate, per ms. */
  userRatePerMs: number;
  tickMs: number;
  /** Share of the project rate that refills the interactive reserve. */
  reserveFraction: number;
  /** The most the reserve holds. */
  reserveCap: number;
}

export interface TickInput {
  /** The tick's time (ms since the epoch): whose turn it is when the project binds (time-slice.ts). */
  atMs: number;
  elapsedMs: number;
  projectBlocked: boolean;
  demands: readonly TickDemand[];
  reserve: number;
  /** Units credited to allowances and not yet spent, over every user. */
  outstanding: number;
  /** Classes still within their share of today's budget. */
  open: (cls: QuotaClass) => boolean;
}

export interface TickPlan {
  /** The time this plan credited (ms, capped at two ticks). */
  elapsedMs: number;
  credits: { subject: string; units: number; ratePerMs: number }[];
  reserveRefill: number;
  /** The most the reserve may hold after this tick (raised to a waiting first page's cost). */
  reserveCap: number;
  /** Units credited per class (metrics). */
  byClass: Map<QuotaClass, number>;
}

/**
 * Elapsed time is capped at two ticks: after an outage (no instance ticked) the plan does not bank a burst that
 * would exceed Google's window. The reserve takes its fraction only while it has room — what it cannot hold
 * goes to the background classes. Over any window the plan credits the utilisation target; what was credited
 * before and is spent inside the window (a full reserve, ≤ 5 % × target; allowances, ≤ 3 ticks of the project
 * rate) is what the target's margin absorbs: all of it spent at one instant would reach ~1.03 × the limit at
 * the defaults, which only a window in which nothing else is spent could produce.
 */
export function planTick(rates: TickRates, input: TickInput): TickPlan {
  const elapsed = Math.min(Math.max(0, input.elapsedMs), 2 * rates.tickMs);
  const byClass = new Map<QuotaClass, number>();
  if (input.projectBlocked || elapsed === 0)
    return { elapsedMs: elapsed, credits: [], reserveRefill: 0, reserveCap: rates.reserveCap, byClass };
  const total = rates.projectRatePerMs * elapsed;
  // Sign-ins refused by an empty reserve pre-empt every background class: the reserve is filled for them first,
  // up to the whole tick, so a burst of first pages waits a tick or so, never for the background.
  const interactive = input.demands.filter((d) => d.class === 'interactive' && !d.blocked);
  const waiting = interactive.reduce((sum, d) => sum + d.units, 0);
  const reserveCap = Math.max(rates.reserveCap, ...interactive.map((d) => d.units));
  const reserveRefill = Math.max(
    0,
    Math.min(
      Math.max(rates.reserveFraction * total, waiting - input.reserve),
      total,
      reserveCap - input.reserve,
    ),
  );
  const userCapPerTick = rates.userRatePerMs * elapsed;
  // An allowance holds at most two ticks of the user's rate: what it holds when a window starts plus what the
  // window credits stays within the user's limit (2 ticks + 1 tick of spill < the 5 % the target leaves, with 60
  // ticks a window). A request above it is granted in parts (minUnits), never in one burst.
  const demands = input.demands.filter((d) => !d.blocked && d.class !== 'interactive' && input.open(d.class));
  const { forgiven, userCap } = userLimits(rates, demands, userCapPerTick);
  // Credit not yet spent is a burst waiting to happen: past two ticks of the project's rate, the plan credits
  // that much less, so what every allowance holds at a window's start stays a small part of the window.
  const capacity = Math.max(
    0,
    total - reserveRefill - Math.max(0, input.outstanding - 2 * rates.tickMs * rates.projectRatePerMs),
  );
  const asking = askingUsers(demands, userCap);
  // Turns are planned on one nominal tick of each rate: a late tick (two ticks' credit) or a reserve refilling
  // for sign-ins changes what this tick credits, not the order of turns users were told.
  const tick = Math.floor(input.atMs / rates.tickMs);
  const nominal = {
    project: rates.projectRatePerMs * rates.tickMs,
    user: rates.userRatePerMs * rates.tickMs,
  };
  const served = usersServed(asking, capacity, tick, nominal);
  const planned = served ? demands.filter((d) => served.served.has(d.subject)) : demands;
  const limit = (user: string) =>
    Math.min(userCap(user), served?.served.get(user) ?? Number.POSITIVE_INFINITY);
  const grants = allocate({
    capacity,
    demands: planned.map((d) => ({
      key: `${d.subject}\u0000${d.class}`,
      user: d.subject,
      class: d.class,
      wants: limit(d.subject),
    })),
    userCap: limit,
  });
  const perUser = new Map<string, number>(forgiven);
  for (const d of planned) {
    const units = grants.get(`${d.subject}\u0000${d.class}`) ?? 0;
    perUser.set(d.subject, (perUser.get(d.subject) ?? 0) + units);
    byClass.set(d.class, (byClass.get(d.class) ?? 0) + units);
  }
  const credits = [...perUser].map(([subject, units]) => ({ subject, units, ratePerMs: units / elapsed }));
  if (served) credits.push(...turnHints(demands, served.ticksToTurn, perUser, rates.tickMs));
  return { elapsedMs: elapsed, credits, reserveRefill, reserveCap, byClass };
}

/**
 * A user not served this tick gets a rate such that what its next take lacks (its demand's minimum less what it
 * holds) comes at its turn: the scheduler's retry estimate is missing ÷ rate, so a deferred batch sleeps until
 * its turn instead of waking every tick to be refused.
 */
function turnHints(
  demands: readonly TickDemand[],
  ticksToTurn: ReadonlyMap<string, number>,
  credited: ReadonlyMap<string, number>,
  tickMs: number,
) {
  const missing = new Map<string, number>();
  for (const d of demands) {
    const lacks = Math.max(1e-6, (d.minUnits || 1) - d.tokens);
    missing.set(d.subject, Math.min(missing.get(d.subject) ?? lacks, lacks));
  }
  return [...ticksToTurn]
    .filter(([subject]) => !credited.has(subject))
    .map(([subject, ticks]) => ({
      subject,
      units: 0,
      ratePerMs: (missing.get(subject) ?? 1) / (ticks * tickMs),
    }));
}

/**
 * Each user's debt forgiven this tick (at its rate: a first page paid from the reserve is charged to the user
 * too, so the user's own window holds — forgiving it lowers what the user may be credited, not the project's
 * capacity, which the reserve already paid), and the most it may be credited: its rate's share of the tick less
 * that, within the headroom that fills its allowance to the cap (a caller of many small calls, a sync's requests
 * of 1 unit, then runs at its rate instead of one call per tick).
 */
function userLimits(rates: TickRates, demands: readonly TickDemand[], userCapPerTick: number) {
  const forgiven = new Map<string, number>();
  for (const d of demands) if (d.tokens < 0) forgiven.set(d.subject, Math.min(-d.tokens, userCapPerTick));
  const headroom = new Map<string, number>();
  for (const d of demands) {
    const held = d.tokens + (forgiven.get(d.subject) ?? 0);
    headroom.set(d.subject, Math.max(headroom.get(d.subject) ?? 0, allowanceCap(rates) - held));
  }
  // The headroom bounds a user over all its classes, as its per-user rate does.
  const userCap = (user: string) =>
    Math.max(0, Math.min(userCapPerTick - (forgiven.get(user) ?? 0), headroom.get(user) ?? 0));
  return { forgiven, userCap };
}

/** One entry per user asking, in its highest class (demands come in QUOTA_CLASSES order or any: the best wins). */
function askingUsers(demands: readonly TickDemand[], userCap: (user: string) => number): SliceUser[] {
  const best = new Map<string, QuotaClass>();
  for (const d of demands) {
    const known = best.get(d.subject);
    if (!known || QUOTA_CLASSES.indexOf(d.class) < QUOTA_CLASSES.indexOf(known)) best.set(d.subject, d.class);
  }
  return [...best].map(([user, cls]) => ({ user, class: cls, wants: userCap(user) }));
}

/** The most an allowance holds (and so the most one grant pays): two ticks of the user's rate, one unit at least. */
export function allowanceCap(rates: Pick<TickRates, 'tickMs' | 'userRatePerMs'>): number {
  return Math.max(1, 2 * rates.tickMs * rates.userRatePerMs);
}
