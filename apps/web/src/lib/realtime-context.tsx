import type { ServerMessage } from '@firstlight/contracts';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef } from 'react';
import { type ConnectionState, useRealtime } from './realtime.ts';

type Listener = (message: ServerMessage) => void;

interface Realtime {
  connection: ConnectionState;
  subscribe: (listener: Listener) => () => void;
  resync: () => void;
}

const RealtimeContext = createContext<Realtime>({
  connection: 'connecting',
  subscribe: () => () => {},
  resync: () => {},
});

/**
 * One `/ws` socket for the signed-in pages (opened by the shell once `/api/me` answered), shared by every page
 * under it: the shell shows its state, the pages subscribe to its messages and update their query caches.
 */
export function RealtimeProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const listeners = useRef(new Set<Listener>());
  const { state, resync } = useRealtime((message) => {
    for (const listener of listeners.current) listener(message);
  }, enabled);
  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ connection: state, subscribe, resync }), [state, subscribe, resync]);
  return <RealtimeContext.Provider value={value}>{children}</RealtimeContext.Provider>;
}

export function useConnection(): ConnectionState {
  return useContext(RealtimeContext).connection;
}

/**
 * Calls `handler` with every server message while the component is mounted. A page that mounts while the socket
 * is already open asks for a fresh snapshot, so it starts from the server's numbers like on a first connect.
 */
export function useServerMessages(handler: Listener): void {
  const { subscribe, resync, connection } = useContext(RealtimeContext);
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => subscribe((message) => current.current(message)), [subscribe]);
  // Only when already open at mount: a socket that opens later starts with its own snapshot.
  const openAtMount = useRef(connection === 'open');
  useEffect(() => {
    if (openAtMount.current) resync();
  }, [resync]);
}
