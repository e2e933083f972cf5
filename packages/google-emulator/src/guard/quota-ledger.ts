import type { QuotaSettings } from '../options.ts';
import { type QuotaApi, type RefusalKind, UsageHistory } from './usage-history.ts';

/**
 * Google's per-minute quotas as a sliding window (GOOGLE-FACTS: "a moving average that allows short bursts").
 * The window is split into 60 buckets, so usage ages out smoothly, a bucket at a time, as on Google; its length
 * is configurable so a benchmark can stand a 6-second window for Google's minute.
 */
const BUCKETS = 60;

class SlidingWindow {
  readonly #units = new Float64Array(BUCKETS);
  readonly #stamps = new Float64Array(BUCKETS).fill(-1);

  constructor(private readonly bucketMs: number) {}

  used(now: number): number {
    const current = Math.floor(now / this.bucketMs);
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const stamp = this.#stamps[i]!;
      if (stamp > current - BUCKETS) total += this.#units[i]!;
    }
    return total;
  }

  add(now: number, units: number): void {
    const current = Math.floor(now / this.bucketMs);
    const slot = current % BUCKETS;
    if (this.#stamps[slot] !== current) {
      this.#stamps[slot] = current;
      this.#units[slot] = 0;
    }
    this.#units[slot]! += units;
  }
}

export type QuotaVerdict = { ok: true } | { ok: false; scope: 'user' | 'project' };

export class QuotaLedger {
  #settings: QuotaSettings;
  #windows = new Map<string, SlidingWindow>();
  #history: UsageHistory;

  constructor(settings: QuotaSettings) {
    this.#settings = settings;
    this.#history = this.#newHistory();
  }

  /** Per-window usage since the last reset or reconfiguration (usage-history.ts). */
  get history(): UsageHistory {
    return this.#history;
  }

  get settings(): QuotaSettings {
    return this.#settings;
  }

  /** New limits or window start from a clean slate. */
  configure(settings: QuotaSettings): void {
    this.#settings = settings;
    this.reset();
  }

  reset(): void {
    this.#windows.clear();
    this.#history = this.#newHistory();
  }

  /** A call refused before the windows were asked (too many concurrent requests), for the history. */
  refused(api: QuotaApi, email: string, kind: RefusalKind, now = Date.now()): void {
    this.#history.refused(api, email, kind, now);
  }

  #newHistory(): UsageHistory {
    const { windowMs, historyWindows } = this.#settings;
    return new UsageHistory(
      windowMs,
      historyWindows,
      (api) => this.limitsOf(api),
      Date.now(),
      windowMs / BUCKETS,
    );
  }

  limitsOf(api: 'gmail' | 'calendar') {
    const s = this.#settings;
    return api === 'gmail'
      ? { user: s.gmailUnitsPerUser, project: s.gmailUnitsPerProject }
      : { user: s.calendarRequestsPerUser, project: s.calendarRequestsPerProject };
  }

  /** Charges `units` if both the user's and the project's windows have room; a refused call costs nothing. */
  charge(api: QuotaApi, email: string, units: number, now = Date.now()): QuotaVerdict {
    if (units === 0) return { ok: true };
    const verdict = this.#settings.enabled ? this.#take(api, email, units, now) : { ok: true as const };
    if (verdict.ok) this.#history.charged(api, email, units, now);
    else this.#history.refused(api, email, verdict.scope, now);
    return verdict;
  }

  #take(api: QuotaApi, email: string, units: number, now: number): QuotaVerdict {
    const limits = this.limitsOf(api);
    const user = this.#window(`${api}:user:${email}`);
    const project = this.#window(`${api}:project`);
    if (project.used(now) + units > limits.project) return { ok: false, scope: 'project' };
    if (user.used(now) + units > limits.user) return { ok: false, scope: 'user' };
    user.add(now, units);
    project.add(now, units);
    return { ok: true };
  }

  usage(api: 'gmail' | 'calendar', email: string, now = Date.now()): number {
    return this.#windows.get(`${api}:user:${email}`)?.used(now) ?? 0;
  }

  #window(key: string): SlidingWindow {
    let window = this.#windows.get(key);
    if (!window) {
      window = new SlidingWindow(this.#settings.windowMs / BUCKETS);
      this.#windows.set(key, window);
    }
    return window;
  }
}
