import { describe, expect, it } from 'vitest';
import {
  formatLocalDateTime,
  formatUtc,
  instantToLocal,
  localToInstant,
  parseLocalDateTime,
  resolveZone,
} from '../src/local-time.ts';

const zone = (name: string) => resolveZone(name)!;
const instant = (local: string, tz: string) =>
  formatUtc(localToInstant(parseLocalDateTime(local)!, zone(tz)));
const local = (utc: string, tz: string) => formatLocalDateTime(instantToLocal(Date.parse(utc), zone(tz)));

describe('local wall-clock → instant (RFC 5545 §3.3.5)', () => {
  it('reads ordinary times with the offset in force', () => {
    expect(instant('2025-07-01T09:00:00', 'America/New_York')).toBe('2025-07-01T13:00:00Z');
    expect(instant('2025-01-01T09:00:00', 'Europe/Berlin')).toBe('2025-01-01T08:00:00Z');
  });

  it('moves a nonexistent time forward by the gap (spring forward)', () => {
    // RFC 5545 §3.3.5's own example: TZID=America/New_York:20070311T023000 is 03:30 EDT.
    expect(instant('2007-03-11T02:30:00', 'America/New_York')).toBe('2007-03-11T07:30:00Z');
    expect(instant('2025-03-30T02:15:00', 'Europe/Berlin')).toBe('2025-03-30T01:15:00Z');
    expect(instant('2025-10-05T02:30:00', 'Australia/Sydney')).toBe('2025-10-04T16:30:00Z');
  });

  it('takes the first of an ambiguous time (fall back)', () => {
    // RFC 5545 §3.3.5: 20071104T013000 in New York is 01:30 EDT.
    expect(instant('2007-11-04T01:30:00', 'America/New_York')).toBe('2007-11-04T05:30:00Z');
    expect(instant('2025-10-26T02:30:00', 'Europe/Berlin')).toBe('2025-10-26T00:30:00Z');
    expect(instant('2025-04-06T02:30:00', 'Australia/Sydney')).toBe('2025-04-05T15:30:00Z');
  });

  it('handles half-hour DST (Lord Howe) and a skipped day (Samoa, 2011-12-30)', () => {
    expect(instant('2025-10-05T02:15:00', 'Australia/Lord_Howe')).toBe('2025-10-04T15:45:00Z'); // 02:45 +11: a 30-minute gap
    expect(instant('2025-04-06T01:45:00', 'Australia/Lord_Howe')).toBe('2025-04-05T14:45:00Z');
    expect(instant('2011-12-30T12:00:00', 'Pacific/Apia')).toBe('2011-12-30T22:00:00Z');
    expect(local('2011-12-30T22:00:00Z', 'Pacific/Apia')).toBe('2011-12-31T12:00:00');
  });

  it('maps instants back to the wall clock, both sides of a transition', () => {
    expect(local('2025-11-02T05:30:00Z', 'America/New_York')).toBe('2025-11-02T01:30:00');
    expect(local('2025-11-02T06:30:00Z', 'America/New_York')).toBe('2025-11-02T01:30:00');
    expect(local('2025-03-09T07:00:00Z', 'America/New_York')).toBe('2025-03-09T03:00:00');
    expect(local('2025-03-09T06:59:59Z', 'America/New_York')).toBe('2025-03-09T01:59:59');
  });

  it('agrees with Intl on every hour of a year in several zones', () => {
    for (const tz of [
      'America/New_York',
      'Europe/Berlin',
      'Australia/Sydney',
      'Asia/Kolkata',
      'America/Santiago',
    ]) {
      const format = new Intl.DateTimeFormat('sv-SE', {
        timeZone: tz,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
      for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 3 * 3_600_000 + 61_000) {
        const expected = format.format(t).replace(' ', 'T');
        expect(formatLocalDateTime(instantToLocal(t, zone(tz))), `${tz} ${new Date(t).toISOString()}`).toBe(
          expected,
        );
      }
    }
  });

  it('knows zones by their IANA names only', () => {
    expect(resolveZone('Mars/Olympus')).toBeUndefined();
    expect(resolveZone('america/new_york')?.name).toBe('America/New_York');
    expect(resolveZone('UTC')?.fixedOffset).toBe(0);
  });
});
