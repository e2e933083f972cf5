import { describe, expect, it } from 'vitest';
import { SocketLimits } from './socket-limits.ts';

describe('SocketLimits', () => {
  it('refuses over the per-session cap, then over the per-IP cap, and gives slots back once', () => {
    const limits = new SocketLimits({ perSession: 2, perIp: 3 });
    const a1 = limits.acquire('a', 'ip');
    const a2 = limits.acquire('a', 'ip');
    expect(limits.acquire('a', 'ip')).toEqual({ refused: 'session' });
    const b1 = limits.acquire('b', 'ip');
    expect(limits.acquire('b', 'ip')).toEqual({ refused: 'ip' });
    expect('release' in limits.acquire('c', 'other-ip')).toBe(true); // another address, its own count
    if (!('release' in a1) || !('release' in a2) || !('release' in b1)) throw new Error('refused');
    a1.release();
    a1.release(); // a second release (close after an error) must not free a slot it does not hold
    expect('release' in limits.acquire('b', 'ip')).toBe(true);
    expect(limits.acquire('b', 'ip')).toEqual({ refused: 'session' });
    expect(limits.acquire('d', 'ip')).toEqual({ refused: 'ip' });
  });
});
