import fastifyWebsocket from '@fastify/websocket';
import { ClientMessage, type ServerMessage } from '@firstlight/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type { DatabaseStatus } from '../health/database-status.ts';
import { errorKey, RepeatFilter } from '../lib/repeat-filter.ts';
import type { EventBus } from './event-bus.ts';
import { buildSnapshot } from './snapshot.ts';

export interface RealtimeOptions {
  bus: EventBus;
  /** The database watch: open sockets are told when it goes away and comes back (and then resynchronised). */
  database?: DatabaseStatus;
  /** Ping interval; a socket that has not answered the previous ping is closed. */
  heartbeatMs?: number;
}

// RFC 6455 §7.4.1: 1008 = policy violation (a message we do not accept), 1011 = server error.
const POLICY_VIOLATION = 1008;
const MAX_CLIENT_MESSAGE_BYTES = 1024;

interface OpenSocket {
  send(message: ServerMessage): void;
  /** Sends a fresh snapshot; false when it could not be built (the database is away). */
  resync(): Promise<boolean>;
}

/**
 * `GET /ws`: a session is required (401 before the upgrade otherwise). The first message is a snapshot (or,
 * while the database is away, a `service_status` saying so, and the snapshot once it is back); then the user's
 * events from the bus. Heartbeats find and close dead sockets. After an outage or a lost LISTEN connection,
 * events may have been missed: every open socket gets a fresh snapshot.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimeOptions> = async (app, options) => {
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const open = new Set<OpenSocket>();
  const snapshotErrors = new RepeatFilter(60_000);

  const resyncAll = async () => {
    // One at a time: after an outage every page asks at once, the pool should not.
    for (const socket of open) await socket.resync();
  };
  const offReconnected = options.bus.onReconnected(() => void resyncAll());
  // A dropped LISTEN connection is usually the database going away: check now rather than at the next probe.
  const offLost = options.bus.onConnectionLost(() => void options.database?.probeNow());
  const offDatabase = options.database?.onChange((state) => {
    for (const socket of open) {
      socket.send({ type: 'service_status', database: state.available ? 'available' : 'unavailable' });
    }
    if (state.available) void resyncAll();
  });
  app.addHook('onClose', async () => {
    offReconnected();
    offLost();
    offDatabase?.();
  });

  app.get(
    '/ws',
    { websocket: true, preValidation: (request) => app.requireUser(request) },
    async (socket, request) => {
      const userId = request.userId!;
      const send = (message: ServerMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      const resync = async () => {
        try {
          send(await buildSnapshot(app.db, userId));
          return true;
        } catch (error) {
          if (snapshotErrors.pass(errorKey('snapshot', error))) {
            request.log.warn({ err: error, userId }, 'could not build the websocket snapshot');
          }
          return false;
        }
      };
      const entry: OpenSocket = { send, resync };
      // Subscribe before building the snapshot so an event in between is not lost (the client dedupes by state).
      const unsubscribe = options.bus.subscribe(userId, send);
      open.add(entry);
      const heartbeat = keepAlive(socket, heartbeatMs);
      socket.on('close', () => {
        unsubscribe();
        open.delete(entry);
        clearInterval(heartbeat);
      });
      socket.on('message', (data) => {
        const parsed = ClientMessage.safeParse(safeJson(data.toString()));
        if (!parsed.success) {
          socket.close(POLICY_VIOLATION, 'unsupported message');
          return;
        }
        void resync();
      });
      if (options.database && !options.database.state.available) {
        send({ type: 'service_status', database: 'unavailable' });
        return; // the recovery sends the snapshot
      }
      if (await resync()) return;
      // The snapshot failed: if the database is away, say so and let the recovery resynchronise this socket.
      const state = await options.database?.probeNow();
      if (state && !state.available) return;
      socket.close(1011, 'snapshot failed');
    },
  );
};

function keepAlive(socket: WebSocket, intervalMs: number): NodeJS.Timeout {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  return setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, intervalMs);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
