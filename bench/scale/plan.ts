/**
 * The quota plan of the `scale` benchmark and of its simulation (one source, so both run the same config):
 * Google's per-user quota and minute as they are, the project limit shrunk so that it binds at about
 * `projectBackfills` users backfilling at their full per-user rate, on a load a 2-core machine can serve
 * (bench/README.md § scale). Not a shorter window: a grant is at most two ticks (window/60 each) of a user's
 * rate, userUnits/30 units, so a 10 s window of 1,200 units made 7-message grants — each a Gmail call and a trip
 * through the task queue, whose overhead then set the pace instead of the scheduler.
 */

export type Mode = 'project' | 'baseline';

export interface ScalePlan {
  users: number;
  /** Sign-ins spread evenly over this long. */
  spreadMs: number;
  /** Mailbox sizes: log-uniform between these (many small, a few large), the same for the same seed. */
  mailboxMin: number;
  mailboxMax: number;
  seed: number;
  /** The quota window standing for Google's minute (the emulator's latency is scaled alike). */
  windowMs: number;
  /** Gmail units per user per window (Google: 6,000 a minute). */
  userUnits: number;
  /** Users backfilling at the full per-user rate that use the whole project: project = this × userUnits. */
  projectBackfills: number;
  /** The product's target share of each limit (GMAIL_QUOTA_UTILISATION). */
  utilisation: number;
  /** Share of the project rate held for first pages (QUOTA_INTERACTIVE_RESERVE); see reserveFor(). */
  interactiveReserve: number;
  instances: number;
  firstPage: number;
  /** Gives up on the backfills after this long (the baseline may never end). */
  maxMs: number;
  taskWorkers: string;
}

/** Units of one stored message (`messages.get`) and of one listing page of 500 ids (`messages.list`). */
export const UNITS_PER_GET = 5;
export const UNITS_PER_LIST = 5;
export const LIST_PAGE = 500;
export const FIRST_PAGE_UNITS = (messages: number) => messages * UNITS_PER_GET + UNITS_PER_LIST;

const number = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

export function planFromEnv(env: NodeJS.ProcessEnv = process.env): ScalePlan {
  const users = number(env, 'USERS', 1_000);
  const spreadMs = number(env, 'SPREAD_MS', 60_000);
  const windowMs = number(env, 'WINDOW_MS', 60_000);
  const userUnits = number(env, 'USER_UNITS', 6_000);
  const projectBackfills = number(env, 'PROJECT_BACKFILLS', 100);
  const firstPage = number(env, 'FIRST_PAGE', 50);
  const plan = {
    users,
    spreadMs,
    mailboxMin: number(env, 'MAILBOX_MIN', 100),
    mailboxMax: number(env, 'MAILBOX_MAX', 2_000),
    seed: number(env, 'SEED', 1),
    windowMs,
    userUnits,
    projectBackfills,
    utilisation: number(env, 'UTILISATION', 0.95),
    interactiveReserve: 0,
    instances: number(env, 'INSTANCES', 3),
    firstPage,
    maxMs: number(env, 'MAX_S', 900) * 1_000,
    // The product's defaults (tasks/embedded-queue.ts DEFAULT_WORKERS) unless TASK_WORKERS says otherwise.
    taskWorkers: env.TASK_WORKERS || '',
  };
  const reserve = env.QUOTA_INTERACTIVE_RESERVE;
  return { ...plan, interactiveReserve: reserve ? Number(reserve) : reserveFor(plan) };
}

/** Gmail units per window for the whole project (GMAIL_PROJECT_QUOTA_UNITS and the emulator's limit). */
export const projectUnits = (plan: ScalePlan) => plan.projectBackfills * plan.userUnits;

/** Units per ms the limits allow (not the utilisation target): the denominators of the figures. */
export const projectRatePerMs = (plan: ScalePlan) => projectUnits(plan) / plan.windowMs;
export const userRatePerMs = (plan: ScalePlan) => plan.userUnits / plan.windowMs;

/**
 * The interactive reserve that covers the planned sign-in rate: first pages arrive at users/spread, each
 * costing FIRST_PAGE_UNITS; the reserve must hold 1.5× that share of the project rate, at least the design's
 * 5 %. At Google's real rate (20,000 units/s) 5 % covers ~4 sign-ins a second; on a 2-core machine the
 * project rate is ~3× smaller while 1,000 sign-ins in 60 s are 17 a second, so the share is much larger.
 */
export function reserveFor(plan: Omit<ScalePlan, 'interactiveReserve'>): number {
  const firstPagesPerMs = (plan.users / plan.spreadMs) * FIRST_PAGE_UNITS(plan.firstPage);
  const share = (1.5 * firstPagesPerMs) / (projectUnits(plan as ScalePlan) / plan.windowMs);
  return Math.round(Math.min(0.5, Math.max(0.05, share)) * 100) / 100;
}

/**
 * The same draws for the same seed: the golden-ratio additive recurrence (a low-discrepancy sequence), so
 * mailbox sizes cover their range evenly at any user count and a run is repeatable.
 */
export function seededRandom(seed: number): () => number {
  const GOLDEN = 0.618_033_988_749_895;
  let x = (seed * 0.754_877_666_246_692_7) % 1;
  return () => {
    x = (x + GOLDEN) % 1;
    return x;
  };
}

export interface ScaleUser {
  email: string;
  mailbox: number;
  /** ms after the first sign-in. */
  signInAtMs: number;
}

export function usersOf(plan: ScalePlan): ScaleUser[] {
  const random = seededRandom(plan.seed);
  const ratio = Math.log(plan.mailboxMax / plan.mailboxMin);
  const interval = plan.users > 1 ? plan.spreadMs / plan.users : 0;
  return Array.from({ length: plan.users }, (_, i) => ({
    email: `scale${i}@example.com`,
    mailbox: Math.round(plan.mailboxMin * Math.exp(random() * ratio)),
    signInAtMs: Math.round(i * interval),
  }));
}

/** Units a mailbox costs at the floor: every message fetched once, listed in pages of 500. */
export const unitsNeeded = (mailbox: number) =>
  mailbox * UNITS_PER_GET + Math.max(1, Math.ceil(mailbox / LIST_PAGE)) * UNITS_PER_LIST;
