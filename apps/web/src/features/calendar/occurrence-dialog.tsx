import type { OccurrencePatch } from '@firstlight/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { OccurrenceChangeForm } from './occurrence-change-form.tsx';
import { ruleSummary, whenText } from './occurrence-text.ts';
import { type CalendarOccurrence, SERIES_DAY_LIMIT } from './occurrences.ts';

interface OccurrenceDialogProps {
  occurrence: CalendarOccurrence;
  zone: string;
  opener: HTMLElement | null;
  onClose: () => void;
  onCancelOccurrence: (occurrence: CalendarOccurrence) => void;
  onChangeOccurrence: (occurrence: CalendarOccurrence, patch: OccurrencePatch) => void;
  onDeleteSeries: (occurrence: CalendarOccurrence) => void;
}

/**
 * The occurrence's details and edits, in a native modal <dialog>: the browser makes the page behind it inert
 * (focus stays inside), Esc closes it, and we hand focus back to the button that opened it.
 */
export function OccurrenceDialog(props: OccurrenceDialogProps) {
  const { occurrence, zone, opener, onClose } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [editing, setEditing] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => {
      element?.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [opener]);

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
      <OccurrenceDetails occurrence={occurrence} zone={zone} />
      {editing ? (
        <OccurrenceChangeForm
          occurrence={occurrence}
          zone={zone}
          onSave={(patch) => {
            if (patch) props.onChangeOccurrence(occurrence, patch);
            onClose();
          }}
          onBack={() => setEditing(false)}
        />
      ) : (
        <OccurrenceActions {...props} onEdit={() => setEditing(true)} />
      )}
    </dialog>
  );
}

/** When, where, how it repeats, and what the engine had to simplify. */
function OccurrenceDetails({ occurrence, zone }: { occurrence: CalendarOccurrence; zone: string }) {
  const event = occurrence.event;
  return (
    <>
      <p>{whenText(occurrence, zone)}</p>
      {event.location && <p className="muted">{event.location}</p>}
      {event.kind === 'series' ? (
        <p className="muted">
          Repeats ({ruleSummary(event.recurrence)}){event.tzid ? ` in ${event.tzid}` : ''}
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
    </>
  );
}

/** Cancel, change, delete (behind a confirmation) for a series; close for everything. */
function OccurrenceActions(props: OccurrenceDialogProps & { onEdit: () => void }) {
  const { occurrence, onClose } = props;
  const [confirmDelete, setConfirmDelete] = useState(false);
  const then = (action: (occurrence: CalendarOccurrence) => void) => () => {
    action(occurrence);
    onClose();
  };
  return (
    <div className="cal-dialog-actions">
      {occurrence.event.kind === 'series' && (
        <>
          <button type="button" className="button" onClick={then(props.onCancelOccurrence)}>
            Cancel this occurrence
          </button>
          <button type="button" className="button" onClick={props.onEdit}>
            Change this occurrence
          </button>
          {confirmDelete ? (
            <button type="button" className="button danger" onClick={then(props.onDeleteSeries)}>
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
  );
}
