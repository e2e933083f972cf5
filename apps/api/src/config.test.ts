import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, logLevel: 'info' });
    expect(config.dataDir).toMatch(/\/\.data$/);
    expect(config.webDistDir).toMatch(/apps\/web\/dist$/);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });

  it('accepts a postgres URL and a port', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgresql://u:p@db:5432/firstlight' });
    expect(config).toMatchObject({ port: 8080, databaseUrl: 'postgresql://u:p@db:5432/firstlight' });
  });

  it.each([
    [{ PORT: 'abc' }, /^invalid configuration: PORT="abc" must be a number/],
    [{ PORT: '70000' }, /PORT="70000" must be between 0 and 65535/],
    [{ DATABASE_URL: 'localhost:5432/db' }, /DATABASE_URL="localhost:5432\/db" must be a postgres:\/\/ URL/],
    [{ DATABASE_URL: 'mysql://u@h/db' }, /DATABASE_URL="mysql:\/\/u@h\/db" must be a postgres:\/\/ URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    [{ TASK_WORKERS: 'ingest-high=0' }, /TASK_WORKERS="ingest-high=0" must look like/],
    [{ TASK_WORKERS: 'mail=4' }, /TASK_WORKERS="mail=4" must look like/],
    [
      { TASK_WORKERS: 'writeback=2,writeback=3' },
      /TASK_WORKERS="writeback=2,writeback=3" names a queue twice/,
    ],
    [{ LEASE_MS: '10' }, /LEASE_MS="10"/],
    [{ LEASE_RENEW_EVERY_MS: '15000' }, /LEASE_RENEW_EVERY_MS=15000 must be less than LEASE_MS=15000/],
    [{ LEASE_MS: '3000', LEASE_RENEW_EVERY_MS: '5000' }, /must be less than LEASE_MS=3000/],
  ])('names the bad variable: %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the embedded queue workers per queue, leaving the rest to its defaults', () => {
    expect(loadConfig({}).tasks).toEqual({ mode: 'embedded', workers: {} });
    expect(loadConfig({ TASK_WORKERS: 'ingest-low=64,writeback=1' }).tasks).toEqual({
      mode: 'embedded',
      workers: { 'ingest-low': 64, writeback: 1 },
    });
  });

  it('leases: 15 s renewed every 5 s unless set', () => {
    expect(loadConfig({}).backfill).toMatchObject({ leaseMs: 15_000, leaseRenewEveryMs: 5_000 });
    expect(loadConfig({ LEASE_MS: '6000', LEASE_RENEW_EVERY_MS: '2000' }).backfill).toMatchObject({
      leaseMs: 6_000,
      leaseRenewEveryMs: 2_000,
    });
  });

  it('WebSocket and session limits: documented defaults, validated values', () => {
    expect(loadConfig({}).realtime).toEqual({
      maxSocketsPerSession: 10,
      maxSocketsPerIp: 50,
      resyncMinIntervalMs: 1_000,
      maxMessageBytes: 1_024,
      maxBufferedBytes: 1_048_576,
    });
    expect(loadConfig({}).sessions).toEqual({ idleTimeoutMs: 7 * 24 * 3_600_000, pruneEveryMs: 3_600_000 });
    expect(loadConfig({ WS_MAX_SOCKETS_PER_SESSION: '3' }).realtime.maxSocketsPerSession).toBe(3);
    expect(() => loadConfig({ WS_MAX_SOCKETS_PER_SESSION: '0' })).toThrow(/WS_MAX_SOCKETS_PER_SESSION="0"/);
    expect(() => loadConfig({ WS_MAX_MESSAGE_BYTES: 'big' })).toThrow(
      /WS_MAX_MESSAGE_BYTES="big" must be a number/,
    );
    expect(() => loadConfig({ SESSION_IDLE_TIMEOUT_MS: '60000' })).toThrow(
      /SESSION_IDLE_TIMEOUT_MS="60000" must be at least 3600000/,
    );
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT="x".*; LOG_LEVEL="y"/);
  });
});
