import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';

describe('the quota scheduler’s configuration', () => {
  it('defaults to the project scheduler with Google’s limits and free daily threshold', () => {
    const { quota } = loadConfig({});
    expect(quota.scheduler).toBe('project');
    expect(quota.gmail).toEqual({
      projectUnits: 1_200_000,
      userUnits: 6_000,
      windowMs: 60_000,
      utilisation: 0.95,
      dailyUnits: 80_000_000,
    });
    expect(quota.calendar).toMatchObject({ projectUnits: 10_000, userUnits: 600, dailyUnits: 1_000_000 });
    expect(quota.interactiveReserve).toBe(0.05);
    expect(quota.dailyClassShares).toEqual({ interactive: 1, sync: 1, high: 0.9, low: 0.75 });
    // A tick every sixtieth of the window, never more often than every 100 ms.
    expect(quota.tickMs).toBe(1_000);
    expect(loadConfig({ GMAIL_QUOTA_WINDOW_MS: '3000' }).quota.tickMs).toBe(100);
  });

  it('reads the per-class shares as one list; a class left out keeps the whole budget', () => {
    const { quota } = loadConfig({
      QUOTA_DAILY_CLASS_SHARES: 'low=0.5,high=0.8',
      QUOTA_SCHEDULER: 'per-user',
    });
    expect(quota.dailyClassShares).toEqual({ interactive: 1, sync: 1, high: 0.8, low: 0.5 });
    expect(quota.scheduler).toBe('per-user');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ QUOTA_DAILY_CLASS_SHARES: 'low=2' })).toThrow(ConfigError);
    expect(() => loadConfig({ QUOTA_DAILY_CLASS_SHARES: 'low=2' })).toThrow(/QUOTA_DAILY_CLASS_SHARES/);
    expect(() => loadConfig({ QUOTA_SCHEDULER: 'global' })).toThrow(/QUOTA_SCHEDULER/);
    expect(() => loadConfig({ QUOTA_INTERACTIVE_RESERVE: '0.9' })).toThrow(/QUOTA_INTERACTIVE_RESERVE/);
  });
});
