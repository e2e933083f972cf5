import { OccurrencePatch, TEXT_LIMITS } from '@firstlight/contracts';
import { toInstant, toLocalDateTime } from '@firstlight/recurrence';
import { type FormEvent, useState } from 'react';
import type { CalendarOccurrence } from './occurrences.ts';

/**
 * What the form asks to change: the title if edited, the start if moved (datetime-local is a wall-clock time:
 * read in the calendar's chosen zone, not the browser's). Checked with the API's own contract, so a refused
 * value is explained here instead of being undone after a round trip.
 */
export function patchFrom(
  form: FormData,
  occurrence: CalendarOccurrence,
  zone: string,
): { patch: OccurrencePatch | null; errors: string[] } {
  const patch: Record<string, string> = {};
  const title = String(form.get('title') ?? '').trim();
  if (title && title !== occurrence.title) patch.summary = title;
  const start = String(form.get('start') ?? '');
  if (start && !occurrence.allDay) {
    const instant = readLocal(start, zone);
    if (!instant) return { patch: null, errors: ['Starts: not a date and time.'] };
    if (instant.getTime() !== occurrence.start.getTime()) patch.start = instant.toISOString();
  }
  if (Object.keys(patch).length === 0) return { patch: null, errors: [] };
  const parsed = OccurrencePatch.safeParse(patch);
  if (parsed.success) return { patch: parsed.data, errors: [] };
  return {
    patch: null,
    errors: parsed.error.issues.map((issue) => `${fieldName(issue.path)}: ${issue.message}`),
  };
}

function readLocal(local: string, zone: string): Date | null {
  try {
    const instant = toInstant(local.length === 16 ? `${local}:00` : local, zone);
    return Number.isNaN(instant.getTime()) ? null : instant;
  } catch {
    return null;
  }
}

function fieldName(path: readonly PropertyKey[]): string {
  const field = String(path[0] ?? '');
  return field === 'summary' ? 'Title' : field === 'start' ? 'Starts' : field === 'end' ? 'Ends' : 'Change';
}

/** The "Change this occurrence" form: title and (unless all-day) start; errors stay in the form. */
export function OccurrenceChangeForm(props: {
  occurrence: CalendarOccurrence;
  zone: string;
  onSave: (patch: OccurrencePatch | null) => void;
  onBack: () => void;
}) {
  const { occurrence, zone } = props;
  const [errors, setErrors] = useState<string[]>([]);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = patchFrom(new FormData(event.currentTarget), occurrence, zone);
    setErrors(result.errors);
    if (result.errors.length === 0) props.onSave(result.patch);
  };
  return (
    <form className="cal-change-form" onSubmit={submit} noValidate>
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
      {errors.length > 0 && (
        <div role="alert" className="bad cal-form-errors" data-testid="change-errors">
          <p>This change cannot be saved:</p>
          <ul>
            {errors.map((error) => (
              <li key={error}>{error}</li>
            ))}
          </ul>
        </div>
      )}
      <div className="cal-dialog-actions">
        <button type="submit" className="button primary">
          Save this occurrence
        </button>
        <button type="button" className="button" onClick={props.onBack}>
          Back
        </button>
      </div>
    </form>
  );
}
