import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../src/index.ts';
import { calendarFor, failureOf, gmailFor, startTestEmulator } from './emulator-harness.ts';

const ADA = 'ada@example.com';
const BEN = 'ben@example.com';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('quota, concurrency and faults, as the real clients see them', () => {
  let emulator: EmulatorHandle;
  beforeAll(async () => {
    emulator = await startTestEmulator({
      accounts: [
        { email: ADA, mailboxSize: 300 },
        { email: BEN, mailboxSize: 300 },
      ],
    });
  });
  afterEach(() => {
    emulator.admin.clearFaults();
    emulator.admin.setQuota({
      windowMs: 60_000,
      gmailUnitsPerUser: 6_000,
      calendarRequestsPerUser: 600,
      concurrentPerUser: 10,
    });
    emulator.admin.resetStats();
  });
  afterAll(() => emulator?.close());

  it('answers 429 once a user passes the Gmail unit quota, and lets calls through after the window', async () => {
    // 100 units per 1.5-second window: 20 messages.list calls (5 units each).
    emulator.admin.setQuota({ windowMs: 1_500, gmailUnitsPerUser: 100 });
    const api = await gmailFor(emulator, ADA);
    let accepted = 0;
    let firstRefusal: Awaited<ReturnType<typeof failureOf>> | undefined;
    for (let i = 0; i < 25; i++) {
      try {
        await api.users.messages.list({ userId: 'me', maxResults: 1 });
        accepted++;
      } catch (error) {
        firstRefusal ??= await failureOf(Promise.reject(error));
      }
    }
    expect(accepted).toBe(20);
    expect(firstRefusal).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
    expect(firstRefusal?.body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(firstRefusal?.body.error.message).toContain('per minute per user');

    // Another user has their own window.
    const other = await gmailFor(emulator, BEN);
    await expect(other.users.messages.list({ userId: 'me', maxResults: 1 })).resolves.toBeTruthy();

    await sleep(1_600);
    await expect(api.users.messages.list({ userId: 'me', maxResults: 1 })).resolves.toBeTruthy();

    const stats = emulator.admin.stats();
    expect(stats.methods['gmail.users.messages.list']).toMatchObject({
      calls: 22,
      units: 110,
      errors: { 429: 5 },
    });
    expect(stats.errorsByCause.quota).toBe(5);
  });

  it('can answer over-quota users with 403 userRateLimitExceeded, the older style', async () => {
    emulator.admin.setQuota({ gmailUnitsPerUser: 1, userErrorStyle: '403' });
    const api = await gmailFor(emulator, ADA);
    await api.users.getProfile({ userId: 'me' });
    const refusal = await failureOf(api.users.getProfile({ userId: 'me' }));
    expect(refusal).toMatchObject({ status: 403, reason: 'userRateLimitExceeded' });
    emulator.admin.setQuota({ userErrorStyle: '429' });
  });

  it("counts Calendar's requests against its own per-user limit", async () => {
    emulator.admin.setQuota({ windowMs: 5_000, calendarRequestsPerUser: 3 });
    const api = await calendarFor(emulator, ADA);
    for (let i = 0; i < 3; i++) await api.calendarList.list();
    expect(await failureOf(api.calendarList.list())).toMatchObject({
      status: 429,
      reason: 'rateLimitExceeded',
    });
    // Gmail is not affected by Calendar's window.
    await expect((await gmailFor(emulator, ADA)).users.getProfile({ userId: 'me' })).resolves.toBeTruthy();
  });

  it('refuses requests past the per-user concurrency limit with "Too many concurrent requests for user"', async () => {
    emulator.admin.setQuota({ concurrentPerUser: 3 });
    emulator.admin.setFaults({ accounts: { [ADA]: { slowRate: 1, slowMs: 300 } } });
    const api = await gmailFor(emulator, ADA);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => api.users.getProfile({ userId: 'me' })),
    );
    const refused = await Promise.all(
      results
        .filter((r) => r.status === 'rejected')
        .map((r) => failureOf(Promise.reject((r as PromiseRejectedResult).reason))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const refusal of refused) {
      expect(refusal).toMatchObject({ status: 429, reason: 'rateLimitExceeded' });
      expect(refusal.body.error.message).toBe('Too many concurrent requests for user.');
    }
    // The per-window usage counts them as concurrency refusals of Ada's (setQuota started a fresh history).
    const windows = emulator.admin.quotaUsage();
    expect(windows.reduce((sum, window) => sum + window.gmail.refused.concurrency, 0)).toBe(5);
    expect(windows.reduce((sum, window) => sum + (window.gmail.refusedUsers[ADA] ?? 0), 0)).toBe(5);
    // Once they finished, the slots are free again.
    await expect(api.users.getProfile({ userId: 'me' })).resolves.toBeTruthy();
  });

  it('injects 500/503/429 at the configured rate, per account', async () => {
    emulator.admin.setFaults({ accounts: { [ADA]: { errorRate: 1, errorStatuses: [503] } } });
    const ada = await gmailFor(emulator, ADA);
    const ben = await gmailFor(emulator, BEN);
    expect(await failureOf(ada.users.getProfile({ userId: 'me' }))).toMatchObject({
      status: 503,
      reason: 'backendError',
    });
    await expect(ben.users.getProfile({ userId: 'me' })).resolves.toBeTruthy();

    emulator.admin.setFaults({
      global: { errorRate: 0.5, errorStatuses: [500] },
      accounts: { [ADA]: { errorRate: 0.5 } },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, () => ben.users.labels.list({ userId: 'me' })),
    );
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected').length;
    // 200 draws at p=0.5: outside 60..140 has probability < 1e-8.
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    expect(emulator.admin.stats().errorsByCause.fault).toBe(failed + 1);
  });

  it('drops the connection mid-response', async () => {
    emulator.admin.setFaults({ accounts: { [ADA]: { dropRate: 1 } } });
    const api = await gmailFor(emulator, ADA);
    const failure = await failureOf(api.users.messages.list({ userId: 'me' }));
    expect(failure.status).toBeUndefined();
    expect(failure.code).toBeTruthy();
  });

  it('answers 401 to a missing or unknown token and 403 to a token without the scope', async () => {
    const { gmail } = await import('@googleapis/gmail');
    const { OAuth2Client } = await import('google-auth-library');
    const anonymous = new OAuth2Client();
    anonymous.setCredentials({ access_token: 'ya29.not-a-token' });
    const api = gmail({ version: 'v1', rootUrl: `${emulator.url}/`, auth: anonymous, retry: false });
    expect(await failureOf(api.users.getProfile({ userId: 'me' }))).toMatchObject({
      status: 401,
      reason: 'authError',
    });

    const calendarOnly = new OAuth2Client();
    calendarOnly.setCredentials({
      access_token: await emulator.admin.issueAccessToken(ADA, [
        'https://www.googleapis.com/auth/calendar.events',
      ]),
    });
    const narrow = gmail({ version: 'v1', rootUrl: `${emulator.url}/`, auth: calendarOnly, retry: false });
    expect(await failureOf(narrow.users.getProfile({ userId: 'me' }))).toMatchObject({
      status: 403,
      reason: 'insufficientPermissions',
    });
  });

  it('invalidates Calendar sync tokens on demand (410, full sync required)', async () => {
    const api = await calendarFor(emulator, ADA);
    let pageToken: string | undefined;
    let syncToken: string | null | undefined;
    do {
      const { data } = await api.events.list({ calendarId: 'primary', pageToken, maxResults: 2500 });
      pageToken = data.nextPageToken ?? undefined;
      syncToken = data.nextSyncToken;
    } while (pageToken);
    const response = await fetch(`${emulator.url}/admin/calendar/${ADA}/invalidate-sync-tokens`, {
      method: 'POST',
    });
    expect(response.status).toBe(204);
    expect(await failureOf(api.events.list({ calendarId: 'primary', syncToken: syncToken! }))).toMatchObject({
      status: 410,
    });
  });
});
