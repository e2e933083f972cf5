import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { holdInstanceLock } from './instance-lock-repository.ts';

/**
 * "Is the process that holds this lease still alive?", answered exactly and at once. Each process holds a
 * session-level advisory lock keyed by its instance id on one connection of its own; PostgreSQL drops a
 * session's locks the moment its connection ends (at once when the process is SIGKILLed: the kernel closes the
 * socket). Leases record their owner's id, and another process that can take the owner's lock knows the owner
 * is gone and reclaims its leases without waiting for them to lapse — at start and in every sweep.
 *
 * A connection of its own, not one of the pool's: a pooled client checked out for good has nobody listening
 * for its 'error' event, and pg-pool would never notice it died. If this connection drops while the process
 * lives (database restart, network), others may reclaim its leases meanwhile: that is safe — every renewal and
 * every final write checks the owner (or the generation a reclaim bumps) — and the lock is taken again.
 */
export class InstanceLiveness {
  readonly id: string;
  #client: pg.Client | undefined;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly log: { warn(object: object, message: string): void },
    options: { id?: string; retryMs?: number } = {},
  ) {
    this.id = options.id ?? randomUUID();
    this.#retryMs = options.retryMs ?? 1_000;
  }

  readonly #retryMs: number;

  /** Holds the lock before this process takes any lease (a lease whose owner holds no lock looks dead). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: `firstlight-instance-${this.id.slice(0, 8)}`,
    });
    client.on('error', (error) => {
      if (this.#stopped) return;
      this.log.warn({ err: error, instance: this.id }, 'instance lock connection lost; taking it again');
      this.#client = undefined;
      client.end().catch(() => {});
      this.#scheduleRetry();
    });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    await holdInstanceLock(client, this.id);
    // Stopped while (re)connecting: let go at once rather than hold a connection nobody will end.
    if (this.#stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  /** Ends the connection: PostgreSQL releases the lock, as it would on a crash. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  #scheduleRetry(): void {
    if (this.#stopped || this.#retry) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#connect().catch((error: unknown) => {
        this.log.warn({ err: error, instance: this.id }, 'instance lock: still no database; retrying');
        this.#scheduleRetry();
      });
    }, this.#retryMs);
    this.#retry.unref();
  }
}
