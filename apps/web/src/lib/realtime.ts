import { ServerMessage, WsCloseCode } from '@firstlight/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';

/** `signed_out`: the server closed the socket because its session ended (sign-out elsewhere, expiry). */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'signed_out';

/**
 * The `/ws` channel: every message is validated against the shared contract; a dropped socket reconnects
 * with backoff and the server's fresh `snapshot` resynchronises the page, so numbers never stall — unless its
 * session ended (close code 4401): reconnecting could only be refused, the page has to sign in again.
 */
export function useRealtime(
  onMessage: (message: ServerMessage) => void,
  enabled = true,
): { state: ConnectionState; resync: () => void } {
  const [state, setState] = useState<ConnectionState>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  const open = useRef<WebSocket | undefined>(undefined);
  /** Asks the server for a fresh `snapshot` (a page that mounts after the socket opened missed the first). */
  const resync = useCallback(() => {
    if (open.current?.readyState === WebSocket.OPEN) open.current.send(JSON.stringify({ type: 'resync' }));
  }, []);

  useEffect(() => {
    if (!enabled) return;
    let socket: WebSocket | undefined;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const connect = () => {
      setState('connecting');
      const url = new URL('/ws', window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      socket = new WebSocket(url);
      open.current = socket;
      socket.onopen = () => {
        attempt = 0;
        setState('open');
      };
      socket.onmessage = (event) => {
        const parsed = ServerMessage.safeParse(JSON.parse(String(event.data)));
        if (parsed.success) handler.current(parsed.data);
        else console.warn('ignored a message that does not match the contract', parsed.error.issues);
      };
      socket.onclose = (event) => {
        if (event.code === WsCloseCode.sessionEnded) {
          setState('signed_out');
          return;
        }
        setState('closed');
        if (stopped) return;
        const delay = Math.min(30_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
        attempt += 1;
        timer = setTimeout(connect, delay);
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    };
  }, [enabled]);
  return { state, resync };
}
