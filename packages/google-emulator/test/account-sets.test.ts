import { afterEach, describe, expect, it } from 'vitest';
import { parseAccountPattern } from '../src/account-sets.ts';
import type { EmulatorHandle } from '../src/index.ts';
import { gmailFor, startTestEmulator } from './emulator-harness.ts';

type Listed = { email: string; mailboxSize: number }[];
const listAccounts = async (emulator: EmulatorHandle) =>
  (await (await fetch(`${emulator.url}/admin/accounts`)).json()) as Listed;

let emulator: EmulatorHandle | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('account sets: many accounts with small, seeded mailboxes', () => {
  it('parses the CLI pattern, one size or a range', () => {
    expect(parseAccountPattern('scale{0..999}@example.com:300-3000')).toEqual({
      prefix: 'scale',
      domain: 'example.com',
      start: 0,
      count: 1000,
      minMessages: 300,
      maxMessages: 3000,
    });
    expect(parseAccountPattern('u{5..6}@test.org:40')).toMatchObject({ start: 5, count: 2, minMessages: 40 });
    expect(() => parseAccountPattern('scale@example.com:300')).toThrow(/expected prefix/);
  });

  it('serves every account of a set, sizes drawn in range and the same on every start', async () => {
    const set = { prefix: 'scale', count: 1000, minMessages: 300, maxMessages: 3000 };
    emulator = await startTestEmulator({ accountSets: [set] });
    const accounts = await listAccounts(emulator);
    // No demo account beside the set: the fairness figures see only the set's users.
    expect(accounts).toHaveLength(1000);
    const sizes = accounts.map((account) => account.mailboxSize);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(300);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(3000);
    // Drawn, not constant: a spread over the range.
    expect(new Set(sizes).size).toBeGreaterThan(500);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeGreaterThan(2000);

    const scale7 = accounts.find((account) => account.email === 'scale7@example.com')!;
    const api = await gmailFor(emulator, 'scale7@example.com');
    const profile = await api.users.getProfile({ userId: 'me' });
    expect(profile.data.messagesTotal).toBe(scale7.mailboxSize);
    await emulator.close();

    emulator = await startTestEmulator({ accountSets: [set] });
    const again = await listAccounts(emulator);
    expect(again.map((account) => account.mailboxSize)).toEqual(sizes);
  });

  it('adds a set at run time through POST /admin/accounts/bulk, skipping known addresses', async () => {
    emulator = await startTestEmulator({ accounts: [{ email: 'bulk1@example.com', mailboxSize: 10 }] });
    const add = (body: unknown) =>
      fetch(`${emulator!.url}/admin/accounts/bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const response = await add({ prefix: 'bulk', count: 3, minMessages: 20, maxMessages: 20, seed: 9 });
    expect(response.status).toBe(201);
    // bulk0, bulk2 are new; bulk1 was configured at start and keeps its mailbox.
    expect(await response.json()).toEqual({ added: 2, messages: 40, accounts: 3 });
    const api = await gmailFor(emulator, 'bulk2@example.com');
    expect((await api.users.getProfile({ userId: 'me' })).data.messagesTotal).toBe(20);
    const kept = await gmailFor(emulator, 'bulk1@example.com');
    expect((await kept.users.getProfile({ userId: 'me' })).data.messagesTotal).toBe(10);

    const bad = await add({ prefix: 'bulk', count: 3, minMessages: 50, maxMessages: 20 });
    expect(bad.status).toBe(400);
  });
});
