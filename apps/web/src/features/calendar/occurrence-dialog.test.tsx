// @vitest-environment happy-dom
import type { OccurrencePatch, SeriesEvent } from '@firstlight/contracts';
import { toInstant } from '@firstlight/recurrence';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { dayStart } from './calendar-dates.ts';
import { OccurrenceDialog } from './occurrence-dialog.tsx';
import { type CalendarOccurrence, occurrencesIn } from './occurrences.ts';

const ZONE = 'Europe/Berlin';

// A weekly stand-up, expanded by the real engine, as the calendar views hand it to the dialog.
const standUp: SeriesEvent = {
  kind: 'series',
  id: '00000000-0000-4000-8000-000000000001',
  calendarId: 'primary',
  googleEventId: 'g1',
  summary: 'Stand-up',
  location: 'Room 4',
  status: 'confirmed',
  allDay: false,
  dtstart: '2026-01-05T09:00:00',
  tzid: ZONE,
  durationMs: 30 * 60_000,
  recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO'],
  exceptions: { cancelled: [], overrides: {} },
  seriesStart: '2026-01-05T08:00:00Z',
  seriesEnd: null,
};
const occurrence = occurrencesIn([standUp], dayStart('2026-01-19', ZONE), dayStart('2026-01-20', ZONE), ZONE)
  .occurrences[0] as CalendarOccurrence;

function open() {
  const calls = {
    closed: 0,
    cancelled: [] as CalendarOccurrence[],
    changed: [] as OccurrencePatch[],
    deleted: [] as CalendarOccurrence[],
  };
  const user = userEvent.setup();
  render(
    <OccurrenceDialog
      occurrence={occurrence}
      zone={ZONE}
      opener={null}
      onClose={() => (calls.closed += 1)}
      onCancelOccurrence={(which) => calls.cancelled.push(which)}
      onChangeOccurrence={(which, patch) => {
        expect(which).toBe(occurrence);
        calls.changed.push(patch);
      }}
      onDeleteSeries={(which) => calls.deleted.push(which)}
    />,
  );
  return { calls, user, dialog: screen.getByRole('dialog') };
}

afterEach(cleanup);

describe('occurrence dialog', () => {
  it('shows the occurrence and its series', () => {
    const { dialog } = open();
    expect(occurrence.originalStart).toBe('2026-01-19T08:00:00Z');
    expect(within(dialog).getByRole('heading').textContent).toBe('Stand-up');
    expect(dialog.textContent).toContain('Room 4');
    expect(dialog.textContent).toContain('Repeats (every week on MO) in Europe/Berlin');
  });

  it('cancels this occurrence and closes', async () => {
    const { calls, user, dialog } = open();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel this occurrence' }));
    expect(calls.cancelled).toEqual([occurrence]);
    expect(calls.closed).toBe(1);
    expect(calls.changed).toEqual([]);
  });

  it('refuses a title the API would refuse, says why, and sends nothing', async () => {
    const { calls, user, dialog } = open();
    await user.click(within(dialog).getByRole('button', { name: 'Change this occurrence' }));
    const title = within(dialog).getByLabelText('Title');
    await user.clear(title);
    // A control character: the contract (EditableText) refuses it, so the form says so instead of a round trip.
    await user.type(title, 'Stand-up\u0007 moved');
    await user.click(within(dialog).getByRole('button', { name: 'Save this occurrence' }));
    const errors = within(dialog).getByRole('alert');
    expect(errors.textContent).toMatch(/^This change cannot be saved:Title: /);
    expect(calls.changed).toEqual([]);
    expect(calls.closed).toBe(0);
  });

  it('sends the new title and the new start, read in the calendar zone, then closes', async () => {
    const { calls, user, dialog } = open();
    await user.click(within(dialog).getByRole('button', { name: 'Change this occurrence' }));
    const title = within(dialog).getByLabelText('Title');
    await user.clear(title);
    await user.type(title, 'Planning');
    const start = within(dialog).getByLabelText(/^Starts/) as HTMLInputElement;
    expect(start.value).toBe('2026-01-19T09:00');
    await user.clear(start);
    await user.type(start, '2026-01-19T10:30');
    await user.click(within(dialog).getByRole('button', { name: 'Save this occurrence' }));
    expect(calls.changed).toEqual([
      { summary: 'Planning', start: toInstant('2026-01-19T10:30:00', ZONE).toISOString() },
    ]);
    expect(calls.changed[0]?.start).toBe('2026-01-19T09:30:00.000Z');
    expect(calls.closed).toBe(1);
  });

  it('sends nothing when nothing changed', async () => {
    const { calls, user, dialog } = open();
    await user.click(within(dialog).getByRole('button', { name: 'Change this occurrence' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save this occurrence' }));
    expect(calls.changed).toEqual([]);
    expect(calls.closed).toBe(1);
  });

  it('deletes the series only after a confirmation', async () => {
    const { calls, user, dialog } = open();
    await user.click(within(dialog).getByRole('button', { name: 'Delete series' }));
    expect(calls.deleted).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Really delete every occurrence' }));
    expect(calls.deleted).toEqual([occurrence]);
  });
});
