import { compileSeries } from '@firstlight/recurrence';
import { describe, expect, it } from 'vitest';
import { withoutStaleEnd } from './calendar-edits.ts';

describe('optimistic occurrence change', () => {
  const key = '2026-01-19T09:00:00Z';
  // Moved once already: the server stored both ends.
  const previous = { start: '2026-01-19T10:00:00.000Z', end: '2026-01-19T11:00:00.000Z' };

  it('drops an earlier end when only the start moves, so the series still compiles', () => {
    const override = withoutStaleEnd(previous, { start: '2026-01-19T14:00:00.000Z' });
    expect(override).toEqual({ start: '2026-01-19T14:00:00.000Z' });
    const compiled = compileSeries({
      dtstart: '2026-01-05T09:00:00',
      tzid: 'UTC',
      durationMs: 3_600_000,
      recurrence: ['RRULE:FREQ=WEEKLY'],
      exceptions: { cancelled: [], overrides: { [key]: override } },
    });
    expect(compiled.ok ? 'ok' : compiled.error).toBe('ok');
  });

  it('keeps the rest of an earlier override', () => {
    expect(withoutStaleEnd({ ...previous, summary: 'Renamed' }, { summary: 'Again' })).toEqual({
      ...previous,
      summary: 'Again',
    });
    expect(withoutStaleEnd(undefined, { summary: 'New' })).toEqual({ summary: 'New' });
  });
});
