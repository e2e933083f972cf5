/**
 * What the quota saw, window by window: per API, the project's units, each user's units and the refusals of
 * each kind. A benchmark reads it for utilisation (units ÷ the project's limit, per window, while work was
 * waiting) and for fairness (Jain's index over the users' units in the same window).
 *
 * Windows are consecutive, of the ledger's length, starting at `origin` — set on a bucket boundary of the
 * sliding window (quota-ledger.ts), so each one is exactly 60 of its buckets and its units can never exceed
 * the limit. Only the last `keep` windows are kept: a long run costs a bounded amount of memory.
 */

export type QuotaApi = 'gmail' | 'calendar';
export type RefusalKind = 'user' | 'project' | 'concurrency';

export interface ApiWindow {
  /** Units charged (Calendar: requests). */
  units: number;
  /** The project's limit for this window (units available), as configured when the window opened. */
  limit: number;
  /** Each user's limit for this window. */
  userLimit: number;
  calls: number;
  /** Users charged in this window (the size of `users`, also when the maps are left out). */
  activeUsers: number;
  /** Calls refused: 429/403 per-user window, 403 project window, 429 too many concurrent requests. */
  refused: Record<RefusalKind, number>;
  /** Units by user (only users charged in this window). */
  users: Record<string, number>;
  /** Refusals by user (only users refused in this window). */
  refusedUsers: Record<string, number>;
}

export interface UsageWindow {
  index: number;
  /** ISO times; `end` is exclusive. The newest window is usually still open (`complete: false`). */
  start: string;
  end: string;
  complete: boolean;
  gmail: ApiWindow;
  calendar: ApiWindow;
}

export interface UsageQuery {
  /** The newest N windows (default: all kept). */
  last?: number;
  /** Leave out the per-user maps (smaller answers for summaries). */
  users?: boolean;
}

type Limits = (api: QuotaApi) => { user: number; project: number };

export class UsageHistory {
  readonly origin: number;
  readonly #windows = new Map<number, UsageWindow>();

  constructor(
    readonly windowMs: number,
    readonly keep: number,
    private readonly limits: Limits,
    now = Date.now(),
    bucketMs = windowMs,
  ) {
    this.origin = Math.floor(now / bucketMs) * bucketMs;
  }

  charged(api: QuotaApi, email: string, units: number, now = Date.now()): void {
    const window = this.#window(now)[api];
    window.units += units;
    window.calls++;
    if (window.users[email] === undefined) window.activeUsers++;
    window.users[email] = (window.users[email] ?? 0) + units;
  }

  refused(api: QuotaApi, email: string, kind: RefusalKind, now = Date.now()): void {
    const window = this.#window(now)[api];
    window.refused[kind]++;
    window.refusedUsers[email] = (window.refusedUsers[email] ?? 0) + 1;
  }

  /** Oldest first; windows in which nothing happened are present, with zeros (idle time is part of utilisation). */
  windows(query: UsageQuery = {}, now = Date.now()): UsageWindow[] {
    const newest = this.#indexAt(now);
    const oldest = Math.max(0, newest - Math.min(this.keep, query.last ?? this.keep) + 1);
    const windows: UsageWindow[] = [];
    for (let index = oldest; index <= newest; index++) {
      const window = this.#windows.get(index) ?? this.#empty(index);
      const complete = index < newest;
      windows.push(
        query.users === false
          ? {
              ...window,
              complete,
              gmail: withoutUsers(window.gmail),
              calendar: withoutUsers(window.calendar),
            }
          : { ...window, complete },
      );
    }
    return windows;
  }

  #indexAt(now: number): number {
    return Math.max(0, Math.floor((now - this.origin) / this.windowMs));
  }

  #window(now: number): UsageWindow {
    const index = this.#indexAt(now);
    let window = this.#windows.get(index);
    if (!window) {
      window = this.#empty(index);
      this.#windows.set(index, window);
      for (const old of this.#windows.keys()) if (old <= index - this.keep) this.#windows.delete(old);
    }
    return window;
  }

  #empty(index: number): UsageWindow {
    const start = this.origin + index * this.windowMs;
    return {
      index,
      start: new Date(start).toISOString(),
      end: new Date(start + this.windowMs).toISOString(),
      complete: false,
      gmail: emptyApiWindow(this.limits('gmail')),
      calendar: emptyApiWindow(this.limits('calendar')),
    };
  }
}

function emptyApiWindow(limits: { user: number; project: number }): ApiWindow {
  return {
    units: 0,
    limit: limits.project,
    userLimit: limits.user,
    calls: 0,
    activeUsers: 0,
    refused: { user: 0, project: 0, concurrency: 0 },
    users: {},
    refusedUsers: {},
  };
}

function withoutUsers(window: ApiWindow): ApiWindow {
  return { ...window, users: {}, refusedUsers: {} };
}
