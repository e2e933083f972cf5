/**
 * Short leases kept alive by a heartbeat (issue 13): a worker renews its lease every `renewEveryMs` while it
 * works, so a lease can be short (15 s) and a worker that dies costs about one lease — not the length of the
 * longest batch. The worker stops writing as soon as either
 * - a renewal finds the lease gone (a sweep decided the owner was dead or late, and another worker has it), or
 * - the task's own signal aborts (this process is shutting down and hands the work back).
 */

export interface LeaseTimings {
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  /** How often a working holder renews it; well under `leaseMs`. */
  renewEveryMs: number;
}

export type StopReason = 'lease-lost' | 'shutdown';

/** Thrown (and caught by the task handlers) when work stops because its lease is gone or the process stops. */
export class WorkStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(reason === 'lease-lost' ? 'the lease was taken over by another worker' : 'the process is stopping');
    this.name = 'WorkStopped';
  }
}

export interface HeldLease {
  /** Aborted when the work must stop; pass it to waits and Google calls. */
  readonly signal: AbortSignal;
  /** Why the work must stop, once it must. */
  readonly stopped: StopReason | undefined;
  /** Throws WorkStopped when the work must stop: call it between steps, before each write. */
  check(): void;
  /** Ends the heartbeat (the caller then finishes or releases the lease). */
  end(): void;
}

/**
 * Starts renewing: `renew` extends the lease and answers whether this worker still holds it. A renewal that
 * fails (database unreachable) is retried at the next beat; only "not held any more" stops the work — if the
 * outage outlasts the lease, another worker may take over, and the fenced final write tells.
 */
export function holdLease(
  renew: () => Promise<boolean>,
  options: {
    renewEveryMs: number;
    taskSignal?: AbortSignal | undefined;
    log?: { warn(object: object, message: string): void };
  },
): HeldLease {
  const controller = new AbortController();
  let stopped: StopReason | undefined;
  const stop = (reason: StopReason) => {
    if (stopped) return;
    stopped = reason;
    controller.abort(new WorkStopped(reason));
  };
  const onTaskAbort = () => stop('shutdown');
  if (options.taskSignal?.aborted) stop('shutdown');
  else options.taskSignal?.addEventListener('abort', onTaskAbort, { once: true });

  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || stopped) return; // a slow renewal is not stacked on
    renewing = true;
    renew()
      .then((held) => {
        if (!held) stop('lease-lost');
      })
      .catch((error: unknown) => options.log?.warn({ err: error }, 'lease renewal failed; retrying'))
      .finally(() => {
        renewing = false;
      });
  }, options.renewEveryMs);
  timer.unref();

  return {
    signal: controller.signal,
    get stopped() {
      return stopped;
    },
    check() {
      if (stopped) throw new WorkStopped(stopped);
    },
    end() {
      clearInterval(timer);
      options.taskSignal?.removeEventListener('abort', onTaskAbort);
    },
  };
}
