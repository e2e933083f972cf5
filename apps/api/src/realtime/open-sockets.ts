import type { ServerMessage } from '@firstlight/contracts';
import type { DatabaseStatus } from '../health/index.ts';
import type { EventBus } from './event-bus.ts';

export interface OpenSocket {
  sessionId: string;
  send(message: ServerMessage): void;
  /** Sends a fresh snapshot (coalesced with requests in flight); false when it could not be built. */
  resync(): Promise<boolean>;
  /** Its session ended: close it, saying so. */
  end(): void;
}

/** The sockets open on this instance. */
export class OpenSockets {
  readonly #open = new Set<OpenSocket>();
  #checking = false;

  add(socket: OpenSocket): void {
    this.#open.add(socket);
  }

  delete(socket: OpenSocket): void {
    this.#open.delete(socket);
  }

  async resyncAll(): Promise<void> {
    // One at a time: after an outage every page asks at once, the pool should not.
    for (const socket of this.#open) await socket.resync();
  }

  broadcast(message: ServerMessage): void {
    for (const socket of this.#open) socket.send(message);
  }

  endSessions(sessionIds: readonly string[]): void {
    const ended = new Set(sessionIds);
    for (const socket of this.#open) if (ended.has(socket.sessionId)) socket.end();
  }

  /** Ends the sockets whose session is no longer live: one query for all of them. */
  async closeEndedSessions(liveSessions: (ids: string[]) => Promise<Set<string>>): Promise<void> {
    if (this.#checking || this.#open.size === 0) return;
    this.#checking = true;
    const sockets = [...this.#open];
    try {
      const live = await liveSessions([...new Set(sockets.map((socket) => socket.sessionId))]);
      for (const socket of sockets) if (this.#open.has(socket) && !live.has(socket.sessionId)) socket.end();
    } catch {
      // The database is away: keep the sockets (their pages say "paused"); checked again next time.
    } finally {
      this.#checking = false;
    }
  }
}

export interface ConnectionWatch {
  bus: EventBus;
  database?: DatabaseStatus | undefined;
  /** Sessions ended on this instance (logout, sign-out everywhere, a new sign-in in that browser). */
  onSessionsEnded(listener: (sessionIds: readonly string[]) => void): () => void;
  liveSessions(sessionIds: string[]): Promise<Set<string>>;
  heartbeatMs: number;
}

/**
 * Keeps the open sockets true to the world: after an outage or a lost LISTEN connection events may have been
 * missed, so every socket is resynchronised; the database's state is announced; a socket whose session ended
 * is closed. Returns what stops the watch.
 */
export function watchConnections(sockets: OpenSockets, watch: ConnectionWatch): () => void {
  const offReconnected = watch.bus.onReconnected(() => void sockets.resyncAll());
  // A dropped LISTEN connection is usually the database going away: check now rather than at the next probe.
  const offLost = watch.bus.onConnectionLost(() => void watch.database?.probeNow());
  const offDatabase = watch.database?.onChange((state) => {
    sockets.broadcast({ type: 'service_status', database: state.available ? 'available' : 'unavailable' });
    if (state.available) void sockets.resyncAll();
  });
  // Ended on this instance: closed at once.
  const offEnded = watch.onSessionsEnded((sessionIds) => sockets.endSessions(sessionIds));
  // Ended on another instance, expired or idle: found once a heartbeat.
  const sessionCheck = setInterval(
    () => void sockets.closeEndedSessions((ids) => watch.liveSessions(ids)),
    watch.heartbeatMs,
  );
  return () => {
    offReconnected();
    offLost();
    offDatabase?.();
    offEnded();
    clearInterval(sessionCheck);
  };
}
