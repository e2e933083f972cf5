import { ApiError, CalendarRangeResponse, EditResponse, type OccurrencePatch } from '@firstlight/contracts';
import { z } from 'zod';
import { ApiRequestError, requestJson } from '../../lib/api-client.ts';

/** The calendar's HTTP calls, each parsed with the shared contract. */

export function fetchWindow(from: Date, to: Date, signal?: AbortSignal): Promise<CalendarRangeResponse> {
  const long = to.getTime() - from.getTime() > 366 * 86_400_000 ? '&long=1' : '';
  const query = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}${long}`;
  return requestJson(`/api/calendar/events?${query}`, CalendarRangeResponse, signal ? { signal } : {});
}

const occurrencePath = (seriesId: string, originalStart: string) =>
  `/api/calendar/series/${seriesId}/occurrences/${encodeURIComponent(originalStart)}`;

export function cancelOccurrence(seriesId: string, originalStart: string): Promise<EditResponse> {
  return send('POST', `${occurrencePath(seriesId, originalStart)}/cancel`, undefined, EditResponse);
}

export function changeOccurrence(
  seriesId: string,
  originalStart: string,
  patch: OccurrencePatch,
): Promise<EditResponse> {
  return send('PATCH', occurrencePath(seriesId, originalStart), patch, EditResponse);
}

const DeleteResponse = z.object({ writeback: z.unknown() });
export async function deleteSeries(seriesId: string): Promise<void> {
  await send('DELETE', `/api/calendar/series/${seriesId}`, undefined, DeleteResponse);
}

// lib/api-client's requestJson sends no body; edits need one, with the same error mapping.
async function send<Schema extends z.ZodType>(
  method: string,
  path: string,
  body: unknown,
  schema: Schema,
): Promise<z.infer<Schema>> {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers:
      body === undefined
        ? { accept: 'application/json' }
        : { accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: unknown = await response.json().catch(() => undefined);
  if (response.ok) {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    throw new ApiRequestError(response.status, `unexpected response from ${path}`);
  }
  const error = ApiError.safeParse(json);
  throw new ApiRequestError(
    response.status,
    error.success ? error.data.error.message : `${path} answered ${response.status}`,
    error.success ? error.data.error.code : undefined,
  );
}
