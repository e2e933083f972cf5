import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE, rpcCode, startEmulatorWithClient, startTarget } from './harness.ts';

const ALREADY_EXISTS = 6;
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;

describe('task names and validation', () => {
  let env: Awaited<ReturnType<typeof startEmulatorWithClient>>;
  let target: Awaited<ReturnType<typeof startTarget>>;
  beforeAll(async () => {
    target = await startTarget();
    env = await startEmulatorWithClient();
  });
  afterAll(async () => {
    await env.stop();
    await target.close();
  });

  const create = (name: string | undefined, extra: Record<string, unknown> = {}) =>
    env.client.createTask({ parent: QUEUE, task: { name, httpRequest: { url: target.url, ...extra } } });

  it('rejects a name used by a live task with ALREADY_EXISTS', async () => {
    await env.client.pauseQueue({ name: QUEUE });
    await create(`${QUEUE}/tasks/live-dup`);
    expect(await rpcCode(create(`${QUEUE}/tasks/live-dup`))).toBe(ALREADY_EXISTS);
    await env.client.resumeQueue({ name: QUEUE });
    await env.emulator.admin.waitForIdle(5000);
  });

  it('keeps the name reserved after the task completed', async () => {
    await create(`${QUEUE}/tasks/done-dup`);
    await env.emulator.admin.waitForIdle(5000);
    expect(target.received.some((request) => request.headers['x-cloudtasks-taskname'] === 'done-dup')).toBe(
      true,
    );
    expect(await rpcCode(create(`${QUEUE}/tasks/done-dup`))).toBe(ALREADY_EXISTS);
  });

  it('keeps the name reserved after the task was deleted', async () => {
    await env.client.pauseQueue({ name: QUEUE });
    const [task] = await create(`${QUEUE}/tasks/deleted-dup`);
    await env.client.deleteTask({ name: task.name! });
    expect(await rpcCode(env.client.getTask({ name: task.name! }))).toBe(NOT_FOUND);
    expect(await rpcCode(create(`${QUEUE}/tasks/deleted-dup`))).toBe(ALREADY_EXISTS);
    await env.client.resumeQueue({ name: QUEUE });
  });

  it('generates a name when none is given', async () => {
    const [first] = await create(undefined);
    const [second] = await create(undefined);
    expect(first.name).toMatch(new RegExp(`^${QUEUE}/tasks/\\d+$`));
    expect(second.name).not.toBe(first.name);
    await env.emulator.admin.waitForIdle(5000);
  });

  it('rejects malformed names, foreign queues, oversized tasks and bodies on GET', async () => {
    expect(await rpcCode(create(`${QUEUE}/tasks/has.dot`))).toBe(INVALID_ARGUMENT);
    expect(await rpcCode(create(`${QUEUE}/tasks/${'a'.repeat(501)}`))).toBe(INVALID_ARGUMENT);
    expect(await rpcCode(create('projects/test/locations/here/queues/other/tasks/x'))).toBe(INVALID_ARGUMENT);
    expect(await rpcCode(create(undefined, { body: Buffer.alloc(101 * 1024) }))).toBe(INVALID_ARGUMENT);
    expect(await rpcCode(create(undefined, { httpMethod: 'GET', body: Buffer.from('x') }))).toBe(
      INVALID_ARGUMENT,
    );
    expect(await rpcCode(create(undefined, { url: 'ftp://example.com' }))).toBe(INVALID_ARGUMENT);
  });

  it('answers NOT_FOUND for an unknown queue', async () => {
    const parent = 'projects/test/locations/here/queues/missing';
    const code = await rpcCode(env.client.createTask({ parent, task: { httpRequest: { url: target.url } } }));
    expect(code).toBe(NOT_FOUND);
    expect(await rpcCode(env.client.getQueue({ name: parent }))).toBe(NOT_FOUND);
  });

  it('returns Google-shaped tasks; BASIC view hides the body, FULL shows it', async () => {
    await env.client.pauseQueue({ name: QUEUE });
    const body = Buffer.from('{"id":1}');
    const [created] = await create(`${QUEUE}/tasks/shape`, {
      body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.view).toBe('BASIC');
    expect(created.httpRequest?.body?.length ?? 0).toBe(0);
    expect(Number(created.dispatchDeadline?.seconds)).toBe(600);
    expect(created.dispatchCount).toBe(0);
    const [full] = await env.client.getTask({ name: created.name!, responseView: 'FULL' });
    expect(full.view).toBe('FULL');
    expect(Buffer.from(full.httpRequest?.body as Uint8Array).toString()).toBe('{"id":1}');
    expect(full.httpRequest?.headers).toEqual({ 'Content-Type': 'application/json' });
    const [listed] = await env.client.listTasks({ parent: QUEUE });
    expect(listed.map((task) => task.name)).toContain(created.name);

    // RunTask dispatches even from a paused queue.
    const [ran] = await env.client.runTask({ name: created.name! });
    expect(ran.dispatchCount).toBe(1);
    expect(ran.firstAttempt?.dispatchTime?.seconds).toBeDefined();
    await env.emulator.admin.waitForIdle(5000);
    const delivered = target.received.find((request) => request.headers['x-cloudtasks-taskname'] === 'shape');
    expect(delivered?.headers['content-type']).toBe('application/json');
    await env.client.resumeQueue({ name: QUEUE });
  });
});
