import { createTestDatabase, type TestDatabase } from '@firstlight/db/testing';
import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';
import { auth, calendar } from '@googleapis/calendar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuotaConfig } from '../../config.ts';
import { QuotaCharge, rateLimitScope } from '../../google/index.ts';
import { ProjectQuotaScheduler, QuotaTickLoop } from '../../quota/index.ts';
import { GoogleCalendarSource } from './google-calendar-source.ts';

const EMAIL = 'calendar-quota@example.com';
const CONFIG: Omit<QuotaConfig, 'scheduler'> = {
  gmail: { projectUnits: 10_000, userUnits: 1_000, windowMs: 1_000, utilisation: 0.95, dailyUnits: 1e9 },
  calendar: { projectUnits: 2_000, userUnits: 600, windowMs: 1_000, utilisation: 0.95, dailyUnits: 1e9 },
  interactiveReserve: 0.05,
  dailyClassShares: { interactive: 1, sync: 1, high: 0.9, low: 0.75 },
  tickMs: 20,
};

/** Google's answers as gaxios reports them. */
const answer = (status: number, reason?: string) =>
  Object.assign(new Error(`status ${status}`), {
    response: { status, data: reason ? { error: { errors: [{ reason }] } } : undefined, headers: {} },
  });

describe('rateLimitScope', () => {
  it('names 403 rateLimitExceeded the project’s limit, a 429 or userRateLimitExceeded the user’s', () => {
    expect(rateLimitScope(answer(403, 'rateLimitExceeded'))).toBe('project');
    expect(rateLimitScope(answer(403, 'userRateLimitExceeded'))).toBe('user');
    expect(rateLimitScope(answer(429))).toBe('user');
    expect(rateLimitScope(answer(500))).toBeUndefined();
    expect(rateLimitScope(answer(403, 'forbidden'))).toBeUndefined();
  });
});

describe('Google Calendar calls through the project quota', () => {
  let emulator: EmulatorHandle;
  let database: TestDatabase;
  let scheduler: ProjectQuotaScheduler;
  let loop: QuotaTickLoop;
  let source: GoogleCalendarSource;

  beforeAll(async () => {
    emulator = await startEmulator({
      port: 0,
      seed: 3,
      latency: 'none',
      accounts: [{ email: EMAIL, mailboxSize: 0 }],
    });
    database = await createTestDatabase();
    scheduler = new ProjectQuotaScheduler({ db: database.db, config: CONFIG });
    loop = new QuotaTickLoop(scheduler, { error: (error) => console.error(error) });
    loop.start();
    const oauth = new auth.OAuth2();
    oauth.setCredentials({ access_token: await emulator.admin.issueAccessToken(EMAIL) });
    const api = calendar({ version: 'v3', auth: oauth, rootUrl: `${emulator.url}/` });
    source = new GoogleCalendarSource(api, new QuotaCharge(scheduler, 'calendar', 'account-1'));
  });
  afterAll(async () => {
    await loop?.stop();
    await database?.drop();
    await emulator?.close();
  });

  it('charges every read to the sync class and a write-back to interactive, one unit per request', async () => {
    emulator.admin.resetStats();
    const calendars = await source.listCalendars();
    expect(calendars.length).toBeGreaterThan(0);
    await source.listAll(calendars[0]!.id, calendars[0]!.timeZone);
    await source.insertSeries(calendars[0]!.id, {
      id: 'quotaseries1',
      summary: 'Standup',
      location: null,
      recurrence: ['RRULE:FREQ=DAILY;COUNT=3'],
      allDay: false,
      tzid: 'UTC',
      start: '2026-03-02T10:00:00Z',
      end: '2026-03-02T10:15:00Z',
    });
    const requests = Object.entries(emulator.admin.stats().methods)
      .filter(([method]) => method.startsWith('calendar.'))
      .reduce((sum, [, counters]) => sum + counters.calls, 0);
    const usage = await scheduler.dailyUsage('calendar');
    expect(usage.byClass.get('interactive')).toBe(1);
    expect((usage.byClass.get('sync') ?? 0) + 1).toBe(requests);
  });

  it('holds everyone after a project-level rate limit, only the user after its own', async () => {
    const charge = new QuotaCharge(scheduler, 'calendar', 'account-2');
    await expect(charge.call('sync', 1, () => Promise.reject(answer(429)))).rejects.toThrow('status 429');
    const other = await scheduler.tryTake({
      resource: 'calendar',
      user: 'account-3',
      class: 'sync',
      units: 1,
    });
    expect(other.granted || other.reason).not.toBe('blocked');
    const held = await scheduler.tryTake({
      resource: 'calendar',
      user: 'account-2',
      class: 'sync',
      units: 1,
    });
    expect(held).toMatchObject({ granted: false, reason: 'blocked' });
    await expect(
      charge.call('sync', 1, () => Promise.reject(answer(403, 'rateLimitExceeded'))),
    ).rejects.toThrow();
    const anyone = await scheduler.tryTake({
      resource: 'calendar',
      user: 'account-3',
      class: 'sync',
      units: 1,
    });
    expect(anyone).toMatchObject({ granted: false, reason: 'blocked' });
  });
});
