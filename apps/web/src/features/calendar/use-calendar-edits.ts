import type { OccurrencePatch } from '@firstlight/contracts';
import { cancelOccurrence, changeOccurrence, deleteSeries } from './calendar-api.ts';
import { cancelled, changed } from './calendar-edits.ts';
import type { CalendarOccurrence } from './occurrences.ts';
import { useOptimisticEdit } from './use-calendar.ts';

/** Cancel one occurrence, change one, delete a series: each optimistic, each undone with a message if refused. */
export function useCalendarEdits() {
  const { apply, message, dismissMessage } = useOptimisticEdit();

  const cancel = (occurrence: CalendarOccurrence) => {
    const originalStart = occurrence.originalStart;
    if (!originalStart) return Promise.resolve();
    const call = async () => (await cancelOccurrence(occurrence.event.id, originalStart)).event;
    return apply(occurrence, cancelled(originalStart), call, 'cancel');
  };

  const change = (occurrence: CalendarOccurrence, patch: OccurrencePatch) => {
    const originalStart = occurrence.originalStart;
    if (!originalStart) return Promise.resolve();
    const call = async () => (await changeOccurrence(occurrence.event.id, originalStart, patch)).event;
    return apply(occurrence, changed(originalStart, patch), call, 'change');
  };

  const remove = (occurrence: CalendarOccurrence) =>
    apply(
      occurrence,
      () => null,
      async () => {
        await deleteSeries(occurrence.event.id);
        return null;
      },
      'delete the series of',
    );

  return { message, dismissMessage, cancel, change, remove };
}
