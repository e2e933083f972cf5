import { ServerMessage } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { z } from 'zod';
import { notify } from './notify-repository.ts';

/**
 * Fan-out of per-user events across API instances through PostgreSQL LISTEN/NOTIFY: any instance publishes,
 * every instance hears it and forwards it to that user's open sockets. Published inside a transaction, a
 * NOTIFY is delivered only on commit, so a client is never told about rows it cannot read yet.
 */
const CHANNEL = 'firstlight_events';
// NOTIFY payloads must stay under 8000 bytes; ours are ids and counters, far below.
const MAX_PAYLOAD_BYTES = 7900;

const Envelope = z.object({ userId: z.string().uuid(), message: ServerMessage });

export type UserEventListener = (message: ServerMessage) => void;

export interface EventBusLogger {
  info?(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

export class EventBus {
  readonly #listeners = new Map<string, Set<UserEventListener>>();
  readonly #reconnected = new Set<() => void>();
  readonly #lost = new Set<() => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attempt = 0;

  constructor(
    /** Also where other long-lived connections of this process go (the instance lock). */
    readonly connectionString: string,
    private readonly log: EventBusLogger,
  ) {}

  /**
   * Opens the LISTEN connection; throws if it cannot (the caller decides whether to wait). Once open, a dropped
   * connection (database restart, outage) is reopened on its own with backoff, for as long as the bus lives.
   */
  async start(): Promise<void> {
    const client = await this.#connect();
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
  }

  /**
   * Called after the LISTEN connection was reopened: NOTIFYs sent while it was down were lost, so whoever
   * forwards events (the WebSocket route) resynchronises its clients. Returns the unsubscribe function.
   */
  onReconnected(listener: () => void): () => void {
    this.#reconnected.add(listener);
    return () => this.#reconnected.delete(listener);
  }

  /** Called when the LISTEN connection drops: often the first sign of a database outage. */
  onConnectionLost(listener: () => void): () => void {
    this.#lost.add(listener);
    return () => this.#lost.delete(listener);
  }

  /** True while the LISTEN connection is open. */
  get connected(): boolean {
    return this.#client !== undefined;
  }

  async #connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'firstlight-events',
    });
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      // Only the live connection schedules a reconnect; a client that failed to connect is the caller's error.
      if (this.#client !== client) return;
      this.#client = undefined;
      client.end().catch(() => {});
      if (this.#closed) return;
      this.log.warn({ err: error }, 'event bus connection lost; reconnecting');
      this.#scheduleReconnect();
      for (const listener of this.#lost) listener();
    };
    // Without an 'error' listener a dropped connection would be an uncaught exception.
    client.on('error', (error) => onLost(error));
    client.on('end', () => onLost());
    client.on('notification', (notification) => this.#deliver(notification.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => {});
      throw error;
    }
    return client;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#listeners.clear();
    await this.#client?.end().catch(() => {});
  }

  /** Subscribes to one user's events; returns the unsubscribe function. */
  subscribe(userId: string, listener: UserEventListener): () => void {
    let set = this.#listeners.get(userId);
    if (!set) {
      set = new Set();
      this.#listeners.set(userId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(userId);
    };
  }

  /** Validated against the contract before it leaves; pass a transaction to publish on commit. */
  async publish(executor: Kysely<Database>, userId: string, message: ServerMessage): Promise<void> {
    const payload = JSON.stringify(Envelope.parse({ userId, message }));
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new Error(
        `event ${message.type} is ${Buffer.byteLength(payload)} bytes: NOTIFY allows under 8000`,
      );
    }
    await notify(executor, CHANNEL, payload);
  }

  #deliver(payload: string | undefined): void {
    const parsed = Envelope.safeParse(JSON.parse(payload ?? 'null'));
    if (!parsed.success) {
      this.log.error({ payload }, 'dropped a malformed event from the bus');
      return;
    }
    for (const listener of this.#listeners.get(parsed.data.userId) ?? []) listener(parsed.data.message);
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#connect().then(
        (client) => {
          this.#reconnectTimer = undefined;
          if (this.#closed) {
            client.end().catch(() => {});
            return;
          }
          this.#client = client;
          this.#attempt = 0;
          this.log.info?.({}, 'event bus reconnected');
          for (const listener of this.#reconnected) listener();
        },
        () => {
          // Quiet while the database is away: the health monitor says so once; we just keep trying.
          this.#reconnectTimer = undefined;
          this.#scheduleReconnect();
        },
      );
    }, delay);
  }
}
