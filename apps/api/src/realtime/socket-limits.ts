/**
 * Counts the open `/ws` sockets of each session and each client IP, on this instance. A slot is taken before
 * the upgrade (the session check and the upgrade are asynchronous: counting only open sockets would let a
 * burst of 300 upgrades all pass) and given back when the connection's TCP socket closes, whatever happened.
 */
export class SocketLimits {
  readonly #bySession = new Map<string, number>();
  readonly #byIp = new Map<string, number>();

  constructor(private readonly caps: { perSession: number; perIp: number }) {}

  /** A release function, or which cap refused the socket. */
  acquire(sessionId: string, ip: string): { release: () => void } | { refused: 'session' | 'ip' } {
    if ((this.#bySession.get(sessionId) ?? 0) >= this.caps.perSession) return { refused: 'session' };
    if ((this.#byIp.get(ip) ?? 0) >= this.caps.perIp) return { refused: 'ip' };
    increment(this.#bySession, sessionId, 1);
    increment(this.#byIp, ip, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        increment(this.#bySession, sessionId, -1);
        increment(this.#byIp, ip, -1);
      },
    };
  }
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  // Deleted at zero: the maps hold only keys with open sockets, so they cannot grow without end.
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
