/**
 * What the emulator has seen, for benchmarks (quota efficiency = units used / units available) and tests
 * (the counters agree with the calls made). Keyed by Google's method names.
 */
export interface MethodCounters {
  calls: number;
  units: number;
  /** Answered with an error (any cause), by HTTP status. */
  errors: Record<string, number>;
}

export type ErrorCause = 'quota' | 'concurrency' | 'fault' | 'auth' | 'drop';

export class Counters {
  startedAt = Date.now();
  #methods = new Map<string, MethodCounters>();
  #accounts = new Map<string, { calls: number; units: number }>();
  #causes: Record<ErrorCause, number> = { quota: 0, concurrency: 0, fault: 0, auth: 0, drop: 0 };

  /** A call that got through the guard and was charged `units`. */
  charge(api: string, method: string, email: string, units: number): void {
    const entry = this.#method(`${api}.${method}`);
    entry.calls++;
    entry.units += units;
    const account = this.#accounts.get(email) ?? { calls: 0, units: 0 };
    account.calls++;
    account.units += units;
    this.#accounts.set(email, account);
  }

  /** A call the guard refused or sabotaged. */
  error(api: string, method: string, status: number, cause: ErrorCause): void {
    const entry = this.#method(`${api}.${method}`);
    entry.errors[status] = (entry.errors[status] ?? 0) + 1;
    this.#causes[cause]++;
  }

  reset(): void {
    this.startedAt = Date.now();
    this.#methods.clear();
    this.#accounts.clear();
    this.#causes = { quota: 0, concurrency: 0, fault: 0, auth: 0, drop: 0 };
  }

  snapshot() {
    const methods = Object.fromEntries([...this.#methods].sort(([a], [b]) => a.localeCompare(b)));
    const totals = { calls: 0, units: 0, errors: 0 };
    for (const entry of this.#methods.values()) {
      totals.calls += entry.calls;
      totals.units += entry.units;
      totals.errors += Object.values(entry.errors).reduce((sum, n) => sum + n, 0);
    }
    return {
      since: new Date(this.startedAt).toISOString(),
      totals,
      errorsByCause: { ...this.#causes },
      methods,
      accounts: Object.fromEntries(this.#accounts),
    };
  }

  #method(key: string): MethodCounters {
    let entry = this.#methods.get(key);
    if (!entry) {
      entry = { calls: 0, units: 0, errors: {} };
      this.#methods.set(key, entry);
    }
    return entry;
  }
}
export type CountersSnapshot = ReturnType<Counters['snapshot']>;
