import fastifyWebsocket from '@fastify/websocket';
import { ClientMessage, type ServerMessage, WsCloseCode } from '@firstlight/contracts';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { Config } from '../config.ts';
import type { DatabaseStatus } from '../health/database-status.ts';
import { DomainError } from '../lib/errors.ts';
import { errorKey, RepeatFilter } from '../lib/repeat-filter.ts';
import type { EventBus } from './event-bus.ts';
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

interface OpenSocket {
  sessionId: string;
  send(message: ServerMessage): void;
  /** Sends a fresh snapshot (coalesced with requests in flight); false when it could not be built. */
  resync(): Promise<boolean>;
  /** Its session ended: close it, saying so. */
  end(): void;
}

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
  const open = new Set<OpenSocket>();
  const slots = new SocketLimits({ perSession: limits.maxSocketsPerSession, perIp: limits.maxSocketsPerIp });
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
  // Ended on this instance (logout, sign-out everywhere, a new sign-in in that browser): closed at once.
  const offEnded = app.onSessionsEnded((sessionIds) => {
    const ended = new Set(sessionIds);
    for (const socket of open) if (ended.has(socket.sessionId)) socket.end();
  });
  // Ended on another instance, expired or idle: found by one query for all sockets, once a heartbeat.
  let checking = false;
  const closeEndedSessions = async () => {
    if (checking || open.size === 0) return;
    checking = true;
    const sockets = [...open];
    try {
      const live = await app.liveSessions([...new Set(sockets.map((socket) => socket.sessionId))]);
      for (const socket of sockets) if (open.has(socket) && !live.has(socket.sessionId)) socket.end();
    } catch {
      // The database is away: keep the sockets (their pages say "paused"); checked again next time.
    } finally {
      checking = false;
    }
  };
  const sessionCheck = setInterval(() => void closeEndedSessions(), heartbeatMs);
  app.addHook('onClose', async () => {
    offReconnected();
    offLost();
    offDatabase?.();
    offEnded();
    clearInterval(sessionCheck);
  });

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
    async (socket, request) => {
      const userId = request.userId!;
      const send = (message: ServerMessage) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > limits.maxBufferedBytes) {
          // A client that stopped reading: its data would pile up here without end. A close frame would queue
          // behind that data, so the connection is dropped (the client sees 1006) and it may reconnect.
          request.log.info(
            { userId, buffered: socket.bufferedAmount },
            'closed a websocket that stopped reading',
          );
          socket.terminate();
          return;
        }
        socket.send(JSON.stringify(message));
      };
      const pump = new SnapshotPump(async () => {
        try {
          send(await buildSnapshot(app.db, options.progress, userId));
          return true;
        } catch (error) {
          if (snapshotErrors.pass(errorKey('snapshot', error))) {
            request.log.warn({ err: error, userId }, 'could not build the websocket snapshot');
          }
          return false;
        }
      }, limits.resyncMinIntervalMs);
      const entry: OpenSocket = {
        sessionId: request.sessionId!,
        send,
        resync: () => pump.request(),
        end: () => socket.close(WsCloseCode.sessionEnded, 'session ended'),
      };
      // Subscribe before building the snapshot so an event in between is not lost (the client dedupes by state).
      const unsubscribe = options.bus.subscribe(userId, send);
      open.add(entry);
      const heartbeat = keepAlive(socket, heartbeatMs);
      socket.on('close', () => {
        unsubscribe();
        open.delete(entry);
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
      if (options.database && !options.database.state.available) {
        send({ type: 'service_status', database: 'unavailable' });
        return; // the recovery sends the snapshot
      }
      if (await pump.request()) return;
      // The snapshot failed: if the database is away, say so and let the recovery resynchronise this socket.
      const state = await options.database?.probeNow();
      if (state && !state.available) return;
      socket.close(WsCloseCode.serverError, 'snapshot failed');
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
