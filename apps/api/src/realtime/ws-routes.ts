import fastifyWebsocket from '@fastify/websocket';
import { ClientMessage, type ServerMessage } from '@firstlight/contracts';
import type { FastifyPluginAsync } from 'fastify';
import type { WebSocket } from 'ws';
import type { EventBus } from './event-bus.ts';
import { buildSnapshot } from './snapshot.ts';

export interface RealtimeOptions {
  bus: EventBus;
  /** Ping interval; a socket that has not answered the previous ping is closed. */
  heartbeatMs?: number;
}

// RFC 6455 §7.4.1: 1008 = policy violation (a message we do not accept), 1011 = server error.
const POLICY_VIOLATION = 1008;
const MAX_CLIENT_MESSAGE_BYTES = 1024;

/**
 * `GET /ws`: a session is required (401 before the upgrade otherwise). The first message is always a
 * snapshot; then the user's events from the bus. Heartbeats find and close dead sockets.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimeOptions> = async (app, options) => {
  await app.register(fastifyWebsocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  const heartbeatMs = options.heartbeatMs ?? 30_000;

  app.get(
    '/ws',
    { websocket: true, preValidation: (request) => app.requireUser(request) },
    async (socket, request) => {
      const userId = request.userId!;
      const send = (message: ServerMessage) => {
        if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
      };
      // Subscribe before building the snapshot so an event in between is not lost (the client dedupes by state).
      const unsubscribe = options.bus.subscribe(userId, send);
      const heartbeat = keepAlive(socket, heartbeatMs);
      socket.on('close', () => {
        unsubscribe();
        clearInterval(heartbeat);
      });
      socket.on('message', async (data) => {
        const parsed = ClientMessage.safeParse(safeJson(data.toString()));
        if (!parsed.success) {
          socket.close(POLICY_VIOLATION, 'unsupported message');
          return;
        }
        send(await buildSnapshot(app.db, userId));
      });
      try {
        send(await buildSnapshot(app.db, userId));
      } catch (error) {
        request.log.error({ err: error, userId }, 'could not build the websocket snapshot');
        socket.close(1011, 'snapshot failed');
      }
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
