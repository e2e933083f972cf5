/**
 * Lets each distinct error through once per `intervalMs` and counts the rest, so an outage that fails the
 * same call everywhere (52 queue workers polling, a timer every second) logs a few lines, not thousands.
 */
export class RepeatFilter {
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly intervalMs: number) {}

  /** The count of identical errors suppressed since the last one let through, or undefined to stay quiet. */
  pass(key: string): { suppressed: number } | undefined {
    const now = Date.now();
    const entry = this.#last.get(key);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed++;
      return undefined;
    }
    // Bounded: distinct causes are few; a flood of unique messages must not grow this without end.
    if (!entry && this.#last.size >= 500) this.#last.clear();
    this.#last.set(key, { at: now, suppressed: 0 });
    return { suppressed: entry?.suppressed ?? 0 };
  }
}

/**
 * What identifies "the same error" for rate limiting: its class, code and message, not its stack — and not
 * the ids in it (pg-boss appends "(Queue: …, Worker: <uuid>)", which would make every worker's error unique).
 */
export function errorKey(message: string, error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name}|${(error as { code?: string }).code ?? ''}|${error.message}`
      : String(error);
  return `${message}|${text.replace(UUID, '<id>').replace(/\(Queue: [^)]*\)/g, '')}`;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export interface WarnErrorLogger {
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

/** A logger whose warn and error lines are rate-limited per distinct (message, error). */
export function repeatLimited<L extends WarnErrorLogger>(log: L, intervalMs = 30_000): WarnErrorLogger {
  const filter = new RepeatFilter(intervalMs);
  const limited =
    (level: 'warn' | 'error') =>
    (object: object, message: string): void => {
      const passed = filter.pass(errorKey(message, (object as { err?: unknown }).err));
      if (!passed) return;
      log[level](passed.suppressed ? { ...object, suppressedRepeats: passed.suppressed } : object, message);
    };
  return { warn: limited('warn'), error: limited('error') };
}
