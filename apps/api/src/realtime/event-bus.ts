import { ServerMessage } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { z } from 'zod';

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
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export class EventBus {
  readonly #listeners = new Map<string, Set<UserEventListener>>();
  #client: pg.Client | undefined;
  #closed = false;
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Also where other long-lived connections of this process go (the instance lock). */
    readonly connectionString: string,
    private readonly log: EventBusLogger,
  ) {}

  /** Opens the LISTEN connection; reconnects on its own if it drops. */
  async start(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: 'firstlight-events',
    });
    client.on('notification', (notification) => this.#deliver(notification.payload));
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'event bus connection lost; reconnecting');
      this.#scheduleReconnect();
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#client = client;
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
    await sql`select pg_notify(${CHANNEL}, ${payload})`.execute(executor);
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
    const old = this.#client;
    this.#client = undefined;
    old?.end().catch(() => {});
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#closed) return;
      this.start().catch((error) => {
        this.log.warn({ err: error }, 'event bus reconnect failed; retrying');
        this.#scheduleReconnect();
      });
    }, 1000);
  }
}
