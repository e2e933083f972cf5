import type { ServerMessage } from '@firstlight/contracts';
import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from './event-bus.ts';

const silent = { warn() {}, error() {} };
const userA = '00000000-0000-4000-8000-00000000000a';
const userB = '00000000-0000-4000-8000-00000000000b';
const jobId = '00000000-0000-4000-8000-0000000000aa';

function nextMessage(bus: EventBus, userId: string): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const off = bus.subscribe(userId, (message) => {
      off();
      resolve(message);
    });
  });
}

describe('EventBus (LISTEN/NOTIFY)', () => {
  let test: TestDatabase;
  let instance1: EventBus;
  let instance2: EventBus;

  beforeAll(async () => {
    test = await createTestDatabase();
    instance1 = new EventBus(test.url, silent);
    instance2 = new EventBus(test.url, silent);
    await Promise.all([instance1.start(), instance2.start()]);
  });
  afterAll(async () => {
    await Promise.all([instance1.close(), instance2.close()]);
    await test.drop();
  });

  it('delivers an event published on one instance to the other, for that user only', async () => {
    const received: ServerMessage[] = [];
    const offB = instance2.subscribe(userB, (message) => received.push(message));
    const arrived = nextMessage(instance2, userA);
    const message: ServerMessage = { type: 'job_status', jobId, status: 'running', reason: null };
    await instance1.publish(test.db, userA, message);
    expect(await arrived).toEqual(message);
    offB();
    expect(received).toEqual([]);
  });

  it('publishes inside a transaction only on commit', async () => {
    const seen: ServerMessage[] = [];
    const off = instance2.subscribe(userA, (message) => seen.push(message));
    await test.db
      .transaction()
      .execute(async (trx) => {
        await instance1.publish(trx, userA, {
          type: 'job_status',
          jobId,
          status: 'failed',
          reason: 'rolled back',
        });
        throw new Error('roll back');
      })
      .catch(() => {});
    const committed = nextMessage(instance2, userA);
    await test.db
      .transaction()
      .execute((trx) =>
        instance1.publish(trx, userA, { type: 'job_status', jobId, status: 'complete', reason: null }),
      );
    await committed;
    off();
    expect(seen.map((message) => message.type === 'job_status' && message.status)).toEqual(['complete']);
  });

  it('refuses a message that breaks the contract', async () => {
    const bad = {
      type: 'job_status',
      jobId: 'not-a-uuid',
      status: 'running',
      reason: null,
    } as unknown as ServerMessage;
    await expect(instance1.publish(test.db, userA, bad)).rejects.toThrow();
  });

  it('reopens its LISTEN connection when the server drops it, tells its listeners, and delivers again', async () => {
    const reconnected = new Promise<void>((resolve) => {
      const off = instance2.onReconnected(() => {
        off();
        resolve();
      });
    });
    // What a database restart does to every connection (57P01 on this one).
    const { rows } = await sql<{ killed: boolean }>`
      select pg_terminate_backend(pid) as killed from pg_stat_activity
      where application_name = 'firstlight-events' and datname = current_database()
        and pid <> pg_backend_pid()`.execute(test.db);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    await reconnected;
    expect(instance2.connected).toBe(true);
    const arrived = nextMessage(instance2, userA);
    const message: ServerMessage = { type: 'job_status', jobId, status: 'running', reason: null };
    await instance1.publish(test.db, userA, message);
    expect(await arrived).toEqual(message);
  });
});
