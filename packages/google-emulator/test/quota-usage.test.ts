import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageHistory } from '../src/guard/usage-history.ts';
import type { EmulatorHandle, UsageWindow } from '../src/index.ts';
import { calendarFor, failureOf, gmailFor, startTestEmulator } from './emulator-harness.ts';

const ADA = 'ada@example.com';
const BEN = 'ben@example.com';
const CAL = 'cal@example.com';

describe('per-window quota usage (UsageHistory)', () => {
  const limits = () => ({ user: 100, project: 1_000 });

  it('puts each charge in its window, from an origin on a bucket boundary, zeros for idle windows', () => {
    // Origin 10_000 (bucket 100 ms): windows [10_000, 11_000), [11_000, 12_000), …
    const history = new UsageHistory(1_000, 10, limits, 10_050, 100);
    expect(history.origin).toBe(10_000);
    history.charged('gmail', ADA, 5, 10_100);
    history.charged('gmail', BEN, 5, 10_999);
    history.charged('gmail', ADA, 5, 10_999);
    history.refused('gmail', BEN, 'user', 10_500);
    history.charged('calendar', ADA, 1, 12_000);
    const windows = history.windows({}, 12_500);
    expect(windows.map((w) => [w.index, w.complete])).toEqual([
      [0, true],
      [1, true],
      [2, false],
    ]);
    expect(windows[0]!.gmail).toMatchObject({
      units: 15,
      limit: 1_000,
      userLimit: 100,
      calls: 3,
      activeUsers: 2,
      users: { [ADA]: 10, [BEN]: 5 },
      refused: { user: 1, project: 0, concurrency: 0 },
      refusedUsers: { [BEN]: 1 },
    });
    expect(windows[1]!.gmail.units).toBe(0);
    expect(windows[2]!.calendar).toMatchObject({ units: 1, users: { [ADA]: 1 } });
    expect(windows[0]!.start).toBe(new Date(10_000).toISOString());
    expect(windows[0]!.end).toBe(new Date(11_000).toISOString());
  });

  it('keeps only the newest windows, and can leave out the per-user maps', () => {
    const history = new UsageHistory(1_000, 3, limits, 0, 100);
    for (let index = 0; index < 8; index++)
      history.charged('gmail', `u${index}@example.com`, 5, index * 1_000);
    const windows = history.windows({}, 7_500);
    expect(windows.map((w) => w.index)).toEqual([5, 6, 7]);
    expect(windows.map((w) => Object.keys(w.gmail.users))).toEqual([
      ['u5@example.com'],
      ['u6@example.com'],
      ['u7@example.com'],
    ]);
    const summary = history.windows({ users: false, last: 1 }, 7_500);
    expect(summary).toHaveLength(1);
    expect(summary[0]!.gmail).toMatchObject({ units: 5, activeUsers: 1, users: {} });
  });
});

describe('GET /admin/quota/usage through the real clients', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startTestEmulator({
      accounts: [ADA, BEN, CAL].map((email) => ({ email, mailboxSize: 50 })),
      // A long window: every call of the test lands in the same one.
      quota: {
        windowMs: 600_000,
        gmailUnitsPerUser: 20,
        gmailUnitsPerProject: 35,
        calendarRequestsPerUser: 2,
      },
    });
  });
  afterAll(() => emulator?.close());

  it("answers the project's units, each user's units and the refusals of each kind", async () => {
    const ada = await gmailFor(emulator, ADA);
    const ben = await gmailFor(emulator, BEN);
    for (let i = 0; i < 4; i++) await ada.users.messages.list({ userId: 'me', maxResults: 1 });
    // Ada is at her 20 units: the next is hers to be refused (429), not the project's.
    expect((await failureOf(ada.users.messages.list({ userId: 'me' }))).status).toBe(429);
    for (let i = 0; i < 3; i++) await ben.users.messages.list({ userId: 'me', maxResults: 1 });
    // 35 units used: the project refuses Ben (403 rateLimitExceeded) although he has 5 left.
    expect((await failureOf(ben.users.messages.list({ userId: 'me' }))).status).toBe(403);
    const cal = await calendarFor(emulator, CAL);
    await cal.calendarList.list();
    await cal.calendarList.list();
    expect((await failureOf(cal.calendarList.list())).status).toBe(429);

    const response = await fetch(`${emulator.url}/admin/quota/usage?last=1`);
    const usage = (await response.json()) as { windowMs: number; windows: UsageWindow[] };
    expect(usage.windowMs).toBe(600_000);
    expect(usage.windows).toHaveLength(1);
    const window = usage.windows[0]!;
    const { units, limit, userLimit, calls, activeUsers } = window.gmail;
    expect([units, limit, userLimit, calls, activeUsers]).toEqual([35, 35, 20, 7, 2]);
    expect(window.gmail.users).toEqual({ [ADA]: 20, [BEN]: 15 });
    expect(window.gmail.refused).toEqual({ user: 1, project: 1, concurrency: 0 });
    expect(window.gmail.refusedUsers).toEqual({ [ADA]: 1, [BEN]: 1 });
    expect(window.calendar).toMatchObject({ units: 2, users: { [CAL]: 2 }, refused: { user: 1 } });

    // /admin/stats carries the same windows without the per-user maps.
    const stats = (await (await fetch(`${emulator.url}/admin/stats`)).json()) as {
      quotaWindows: UsageWindow[];
    };
    expect(stats.quotaWindows.at(-1)!.gmail).toMatchObject({ units: 35, activeUsers: 2, users: {} });
    // A reset starts a fresh history.
    emulator.admin.resetStats();
    expect(emulator.admin.quotaUsage().at(-1)!.gmail.units).toBe(0);
  });

  it('answers 400 to a malformed query', async () => {
    expect((await fetch(`${emulator.url}/admin/quota/usage?last=zero`)).status).toBe(400);
  });
});
