import { CalendarRangeResponse, EditResponse, type OccurrencePatch } from '@firstlight/contracts';
import { z } from 'zod';
import { requestJson } from '../../lib/api-client.ts';

/** The calendar's HTTP calls, each parsed with the shared contract. */

export function fetchWindow(from: Date, to: Date, signal?: AbortSignal): Promise<CalendarRangeResponse> {
  const long = to.getTime() - from.getTime() > 366 * 86_400_000 ? '&long=1' : '';
  const query = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}${long}`;
  return requestJson(`/api/calendar/events?${query}`, CalendarRangeResponse, signal ? { signal } : {});
}

const occurrencePath = (seriesId: string, originalStart: string) =>
  `/api/calendar/series/${seriesId}/occurrences/${encodeURIComponent(originalStart)}`;

export function cancelOccurrence(seriesId: string, originalStart: string): Promise<EditResponse> {
  return requestJson(`${occurrencePath(seriesId, originalStart)}/cancel`, EditResponse, { method: 'POST' });
}

export function changeOccurrence(
  seriesId: string,
  originalStart: string,
  patch: OccurrencePatch,
): Promise<EditResponse> {
  return requestJson(occurrencePath(seriesId, originalStart), EditResponse, { method: 'PATCH', body: patch });
}

const DeleteResponse = z.object({ writeback: z.unknown() });
export async function deleteSeries(seriesId: string): Promise<void> {
  await requestJson(`/api/calendar/series/${seriesId}`, DeleteResponse, { method: 'DELETE' });
}
