/**
 * One socket's snapshots: at most one in flight, starts at least `minIntervalMs` apart, and every request
 * answered by a snapshot that *starts after it arrived* — so requests that come faster are coalesced into
 * the next one, never dropped, and the client always ends up with the state as of its last request.
 * 2,000 resyncs in a burst cost one or two snapshots, not 2,000 (three queries each).
 */
export class SnapshotPump {
  #inFlight = false;
  #lastStartedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** The waiters of the next snapshot (every request since the last one started). */
  #next: { promise: Promise<boolean>; resolve: (sent: boolean) => void } | undefined;

  constructor(
    /** Builds and sends one snapshot; false when it could not be built. */
    private readonly send: () => Promise<boolean>,
    private readonly minIntervalMs: number,
  ) {}

  /** Resolves once a snapshot started after this call was sent (true) or failed (false). */
  request(): Promise<boolean> {
    if (this.#stopped) return Promise.resolve(false);
    if (!this.#next) {
      let resolve!: (sent: boolean) => void;
      const promise = new Promise<boolean>((done) => {
        resolve = done;
      });
      this.#next = { promise, resolve };
    }
    const { promise } = this.#next;
    this.#pump();
    return promise;
  }

  /** The socket closed: no more snapshots; pending waiters learn that none was sent. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#next?.resolve(false);
    this.#next = undefined;
  }

  #pump(): void {
    if (this.#stopped || this.#inFlight || this.#timer || !this.#next) return;
    const wait = this.#lastStartedAt + this.minIntervalMs - performance.now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#pump();
      }, wait);
      return;
    }
    const waiters = this.#next;
    this.#next = undefined;
    this.#inFlight = true;
    this.#lastStartedAt = performance.now();
    this.send()
      .catch(() => false)
      .then((sent) => {
        this.#inFlight = false;
        waiters.resolve(sent);
        this.#pump();
      });
  }
}
