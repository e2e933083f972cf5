import fastifyWebsocket from '@fastify/websocket';
import { ClientMessage, type ServerMessage, WsCloseCode } from '@firstlight/contracts';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { DatabaseStatus } from '../health/index.ts';
import { DomainError } from '../lib/errors.ts';
import { errorKey, RepeatFilter } from '../lib/repeat-filter.ts';
import type { EventBus } from './event-bus.ts';
import { type OpenSocket, OpenSockets, watchConnections } from './open-sockets.ts';
import { buildSnapshot, type SnapshotProgress } from './snapshot.ts';
import { SnapshotPump } from './snapshot-pump.ts';
import { SocketLimits } from './socket-limits.ts';

export interface RealtimeOptions {
  bus: EventBus;
  /** The database watch: open sockets are told when it goes away and comes back (and then resynchronised). */
  database?: DatabaseStatus;
  /**
   * Ping interval; a socket that has not answered the previous ping is closed. Also how often the sessions of
   * open sockets are checked (ended on another instance, expired, idle).
   */
  heartbeatMs?: number;
  limits: Config['realtime'];
  /** Mailbox progress for the snapshot (ingestion's, wired by the app). */
  progress: SnapshotProgress;
}

/** What a refused upgrade tells the client to wait: one heartbeat, by when a closed tab's slot is back. */
const RETRY_AFTER_S = 30;

/**
 * `GET /ws`: a session is required (401 before the upgrade otherwise), and a free slot under the caps per
 * session and per IP (429 before the upgrade otherwise). The first message is a snapshot (or, while the
 * database is away, a `service_status` saying so, and the snapshot once it is back); then the user's events
 * from the bus. Heartbeats find and close dead sockets; a client that stops reading is closed once its unsent
 * data passes `maxBufferedBytes`. After an outage or a lost LISTEN connection, events may have been missed:
 * every open socket gets a fresh snapshot. A socket lives no longer than its session.
 */
export const realtimeRoutes: FastifyPluginAsync<RealtimeOptions> = async (app, options) => {
  const limits = options.limits;
  await app.register(fastifyWebsocket, {
    // ws refuses a bigger message itself: it closes with 1009 before buffering it.
    options: { maxPayload: limits.maxMessageBytes },
    errorHandler: (error, socket, request) => {
      // A client's protocol error (WS_ERR_*: too big, bad frame): ws has already begun the close handshake with
      // the code that says why (1009, 1002); let it finish. Anything else is ours.
      const clientError = String((error as { code?: unknown }).code ?? '').startsWith('WS_ERR_');
      if (clientError) request.log.info({ err: error }, 'websocket closed on a client protocol error');
      else request.log.error({ err: error }, 'websocket handler failed');
      if (!clientError || socket.readyState === socket.OPEN) socket.terminate();
    },
  });
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const sockets = new OpenSockets();
  const slots = new SocketLimits({ perSession: limits.maxSocketsPerSession, perIp: limits.maxSocketsPerIp });
  const snapshotErrors = new RepeatFilter(60_000);
  const stopWatching = watchConnections(sockets, {
    bus: options.bus,
    database: options.database,
    onSessionsEnded: (listener) => app.onSessionsEnded(listener),
    liveSessions: (ids) => app.liveSessions(ids),
    heartbeatMs,
  });
  app.addHook('onClose', async () => stopWatching());

  /** Takes a slot under the caps before the upgrade; it is given back when the connection closes. */
  const reserveSlot = async (request: FastifyRequest) => {
    if (!request.ws) return; // a plain GET gets its 404 and holds nothing
    const slot = slots.acquire(request.sessionId!, request.ip);
    if ('refused' in slot) {
      const cap = slot.refused === 'session' ? limits.maxSocketsPerSession : limits.maxSocketsPerIp;
      throw new DomainError(429, 'too_many_sockets', `at most ${cap} open connections per ${slot.refused}`);
    }
    request.raw.socket.once('close', slot.release);
  };

  app.get(
    '/ws',
    {
      websocket: true,
      preParsing: [async (request) => app.requireUser(request), reserveSlot],
      onError: async (_request, reply, error) => {
        if (error instanceof DomainError && error.status === 429) reply.header('retry-after', RETRY_AFTER_S);
      },
    },
    async (socket, request) =>
      serveSocket({ ...options, heartbeatMs, sockets, snapshotErrors, db: app.db }, socket, request),
  );
};

interface SocketContext extends RealtimeOptions {
  db: FastifyInstance['db'];
  heartbeatMs: number;
  sockets: OpenSockets;
  snapshotErrors: RepeatFilter;
}

/** One socket: the snapshot first (or the database's absence), then the user's events, until it closes. */
async function serveSocket(context: SocketContext, socket: WebSocket, request: FastifyRequest) {
  const userId = request.userId!;
  const send = sender(socket, request, context.limits.maxBufferedBytes);
  const pump = new SnapshotPump(async () => {
    try {
      send(await buildSnapshot(context.db, context.progress, userId));
      return true;
    } catch (error) {
      if (context.snapshotErrors.pass(errorKey('snapshot', error))) {
        request.log.warn({ err: error, userId }, 'could not build the websocket snapshot');
      }
      return false;
    }
  }, context.limits.resyncMinIntervalMs);
  const entry: OpenSocket = {
    sessionId: request.sessionId!,
    send,
    resync: () => pump.request(),
    end: () => socket.close(WsCloseCode.sessionEnded, 'session ended'),
  };
  // Subscribe before building the snapshot so an event in between is not lost (the client dedupes by state).
  const unsubscribe = context.bus.subscribe(userId, send);
  context.sockets.add(entry);
  const heartbeat = keepAlive(socket, context.heartbeatMs);
  socket.on('close', () => {
    unsubscribe();
    context.sockets.delete(entry);
    clearInterval(heartbeat);
    pump.stop();
  });
  socket.on('message', (data, isBinary) => {
    const parsed = isBinary ? undefined : ClientMessage.safeParse(safeJson(data.toString()));
    if (!parsed?.success) {
      socket.close(WsCloseCode.unsupportedMessage, 'unsupported message');
      return;
    }
    void pump.request();
  });
  const database = context.database;
  if (database && !database.state.available) {
    send({ type: 'service_status', database: 'unavailable' });
    return; // the recovery sends the snapshot
  }
  if (await pump.request()) return;
  // The snapshot failed: if the database is away, say so and let the recovery resynchronise this socket.
  const state = await database?.probeNow();
  if (state && !state.available) return;
  socket.close(WsCloseCode.serverError, 'snapshot failed');
}

function sender(socket: WebSocket, request: FastifyRequest, maxBufferedBytes: number) {
  return (message: ServerMessage) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > maxBufferedBytes) {
      // A client that stopped reading: its data would pile up here without end. A close frame would queue
      // behind that data, so the connection is dropped (the client sees 1006) and it may reconnect.
      request.log.info(
        { userId: request.userId, buffered: socket.bufferedAmount },
        'closed a websocket that stopped reading',
      );
      socket.terminate();
      return;
    }
    socket.send(JSON.stringify(message));
  };
}

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
