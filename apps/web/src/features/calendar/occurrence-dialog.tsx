import { type OccurrencePatch, TEXT_LIMITS } from '@firstlight/contracts';
import { toInstant, toLocalDateTime } from '@firstlight/recurrence';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { zoneFormats } from './calendar-dates.ts';
import { type CalendarOccurrence, SERIES_DAY_LIMIT } from './occurrences.ts';

/**
 * The occurrence's details and edits, in a native modal <dialog>: the browser makes the page behind it inert
 * (focus stays inside), Esc closes it, and we hand focus back to the button that opened it.
 */
export function OccurrenceDialog({
  occurrence,
  zone,
  opener,
  onClose,
  onCancelOccurrence,
  onChangeOccurrence,
  onDeleteSeries,
}: {
  occurrence: CalendarOccurrence;
  zone: string;
  opener: HTMLElement | null;
  onClose: () => void;
  onCancelOccurrence: (occurrence: CalendarOccurrence) => void;
  onChangeOccurrence: (occurrence: CalendarOccurrence, patch: OccurrencePatch) => void;
  onDeleteSeries: (occurrence: CalendarOccurrence) => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const isSeries = occurrence.event.kind === 'series';

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => {
      element?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [opener]);

  const formats = zoneFormats(zone);
  const when = occurrence.allDay
    ? occurrence.firstDay === occurrence.lastDay
      ? `${occurrence.firstDay} · all day`
      : `${occurrence.firstDay} – ${occurrence.lastDay} · all day`
    : `${formats.dateTime.format(occurrence.start)} – ${formats.time.format(occurrence.end)}`;

  const submitChange = (submit: FormEvent<HTMLFormElement>) => {
    submit.preventDefault();
    const form = new FormData(submit.currentTarget);
    const patch: OccurrencePatch = {};
    const title = String(form.get('title') ?? '').trim();
    if (title && title !== occurrence.title) patch.summary = title;
    const start = String(form.get('start') ?? '');
    if (start && !occurrence.allDay) {
      // datetime-local is a wall-clock time: read it in the calendar's chosen zone, not the browser's.
      const instant = toInstant(`${start.length === 16 ? `${start}:00` : start}`, zone);
      if (instant.getTime() !== occurrence.start.getTime()) patch.start = instant.toISOString();
    }
    if (Object.keys(patch).length > 0) onChangeOccurrence(occurrence, patch);
    onClose();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: Esc is the dialog's own keyboard close; the click is the backdrop.
    <dialog
      ref={dialog}
      className="cal-dialog"
      aria-labelledby={titleId}
      // Esc: the native dialog would close itself; let React unmount it instead. (Listening to `close` is not
      // enough: StrictMode's effect re-run closes and reopens it, and that queued `close` would shut it.)
      onCancel={(cancel) => {
        cancel.preventDefault();
        onClose();
      }}
      onClick={(click) => {
        if (click.target === dialog.current) onClose();
      }}
    >
      <h2 id={titleId}>{occurrence.title}</h2>
      <p>{when}</p>
      {occurrence.event.location && <p className="muted">{occurrence.event.location}</p>}
      {isSeries ? (
        <p className="muted">
          Repeats{occurrence.event.kind === 'series' ? ` (${ruleSummary(occurrence.event.recurrence)})` : ''}
          {occurrence.event.kind === 'series' && occurrence.event.tzid ? ` in ${occurrence.event.tzid}` : ''}
          {occurrence.isException ? ' · this occurrence was changed' : ''}
        </p>
      ) : (
        <p className="muted">A single event.</p>
      )}
      {occurrence.warning?.kind === 'unreadable' && (
        <p className="bad" role="note">
          The repeat rule could not be read ({occurrence.warning.reason}); only the first occurrence is shown.
        </p>
      )}
      {occurrence.warning?.kind === 'too_frequent' && (
        <p className="muted" role="note">
          This series {occurrence.warning.reason}: the calendar shows the first {SERIES_DAY_LIMIT} of each
          day.
        </p>
      )}
      {occurrence.notes.length > 0 && (
        <p className="muted" role="note">
          Unusual repeat rule, shown as other calendar apps show it ({occurrence.notes.join('; ')}).
        </p>
      )}
      {editing && (
        <form className="cal-change-form" onSubmit={submitChange}>
          <label>
            Title
            <input name="title" defaultValue={occurrence.title} maxLength={TEXT_LIMITS.summary} />
          </label>
          {!occurrence.allDay && (
            <label>
              Starts ({zone})
              <input
                type="datetime-local"
                name="start"
                defaultValue={toLocalDateTime(occurrence.start, zone).slice(0, 16)}
              />
            </label>
          )}
          <div className="cal-dialog-actions">
            <button type="submit" className="button primary">
              Save this occurrence
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Back
            </button>
          </div>
        </form>
      )}
      {!editing && (
        <div className="cal-dialog-actions">
          {isSeries && (
            <>
              <button
                type="button"
                className="button"
                onClick={() => {
                  onCancelOccurrence(occurrence);
                  onClose();
                }}
              >
                Cancel this occurrence
              </button>
              <button type="button" className="button" onClick={() => setEditing(true)}>
                Change this occurrence
              </button>
              {confirmDelete ? (
                <button
                  type="button"
                  className="button danger"
                  onClick={() => {
                    onDeleteSeries(occurrence);
                    onClose();
                  }}
                >
                  Really delete every occurrence
                </button>
              ) : (
                <button type="button" className="button" onClick={() => setConfirmDelete(true)}>
                  Delete series
                </button>
              )}
            </>
          )}
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </dialog>
  );
}

function ruleSummary(recurrence: readonly string[]): string {
  const rule = recurrence.find((line) => line.startsWith('RRULE:'));
  if (!rule) return 'on set dates';
  const parts = Object.fromEntries(
    rule
      .slice(6)
      .split(';')
      .map((part) => part.split('=') as [string, string]),
  );
  const every = Number(parts.INTERVAL ?? 1);
  const unit =
    { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' }[parts.FREQ as string] ?? 'period';
  const days = parts.BYDAY ? ` on ${parts.BYDAY}` : '';
  return `every ${every > 1 ? `${every} ${unit}s` : unit}${days}`;
}
