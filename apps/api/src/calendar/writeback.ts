import type { CalendarWritebackTask } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import { googleInstanceId } from '@firstlight/recurrence';
import type { Kysely } from 'kysely';
import { type AccountClients, ReauthRequired } from '../google/account-clients.ts';
import { backoffMs, classifyGoogleError } from '../google/google-call.ts';
import type { GoogleSettings } from '../google/google-settings.ts';
import type { TaskResult } from '../tasks/task-queue.ts';
import { calendarClient } from './calendar-sync.ts';
import { claimOutbox, finishOutbox, type OutboxRow } from './writeback-repository.ts';

export interface WritebackDeps {
  db: Kysely<Database>;
  clients: AccountClients;
  google: GoogleSettings;
  log: { warn(o: object, m: string): void };
  /** Attempts before a write-back is recorded as failed (and shown) instead of retried. */
  maxAttempts: number;
}

/**
 * Applies one outbox row to Google: the instance `{eventId}_{originalStart}` patched (cancelled, moved,
 * retitled), or the series deleted. Already applied (404/410 on a delete or cancel) counts as done: a repeated
 * delivery must not fail. Retryable failures go back to the queue with backoff; after `maxAttempts`, or on a
 * refusal that will not change (400, 403), the row is `failed` with the reason, visible in the API.
 */
export async function runWriteback(deps: WritebackDeps, task: CalendarWritebackTask): Promise<TaskResult> {
  const row = await claimOutbox(deps.db, task.outboxId);
  if (!row) return { outcome: 'done' }; // done, failed, or unknown: nothing to do
  try {
    // The event's own account (migrations/0007): a user with several accounts writes back to the right one.
    const { client } = await deps.clients.forAccount(row.account_id);
    await apply(calendarClient(client, deps.google), row);
    await finishOutbox(deps.db, row.id, { status: 'done' });
    return { outcome: 'done' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof ReauthRequired) {
      await finishOutbox(deps.db, row.id, { status: 'failed', error: `reauth_required: ${message}` });
      return { outcome: 'done' };
    }
    const failure = classifyGoogleError(error);
    const gone =
      failure.kind === 'not_found' || (error as { response?: { status?: number } }).response?.status === 410;
    if (gone && row.operation !== 'patch_occurrence') {
      await finishOutbox(deps.db, row.id, { status: 'done' }); // already cancelled or deleted in Google
      return { outcome: 'done' };
    }
    const retryable =
      failure.kind === 'rate_limited' || failure.kind === 'transient' || failure.kind === 'unauthorized';
    if (!retryable || row.attempts >= deps.maxAttempts) {
      await finishOutbox(deps.db, row.id, { status: 'failed', error: message });
      deps.log.warn(
        { userId: row.user_id, outboxId: row.id, err: error },
        'calendar write-back failed for good',
      );
      return { outcome: 'done' };
    }
    const retryInMs = Math.max(
      backoffMs(row.attempts),
      failure.kind === 'rate_limited' ? (failure.retryAfterMs ?? 0) : 0,
    );
    await finishOutbox(deps.db, row.id, { status: 'pending', error: message, retryInMs });
    return { outcome: 'retry', reason: message, retryAfterMs: retryInMs };
  }
}

async function apply(api: ReturnType<typeof calendarClient>, row: OutboxRow): Promise<void> {
  const payload = row.payload as {
    originalStart?: string;
    allDay?: boolean;
    tzid?: string | null;
    start?: string;
    end?: string;
    summary?: string;
  };
  if (row.operation === 'delete_series') {
    await api.events.delete({ calendarId: row.calendar_id, eventId: row.google_event_id });
    return;
  }
  if (row.operation === 'split_series') {
    await applySplit(api, row);
    return;
  }
  const instanceId = payload.originalStart
    ? googleInstanceId(row.google_event_id, payload.originalStart)
    : undefined;
  if (!instanceId) throw new Error(`outbox ${row.id}: no occurrence to write back`);
  if (row.operation === 'cancel_occurrence') {
    // Google: cancel one occurrence by updating the instance with status "cancelled".
    await api.events.patch({
      calendarId: row.calendar_id,
      eventId: instanceId,
      requestBody: { status: 'cancelled' },
    });
    return;
  }
  const time = (value: string) =>
    payload.allDay
      ? { date: value.slice(0, 10) }
      : { dateTime: value, ...(payload.tzid ? { timeZone: payload.tzid } : {}) };
  await api.events.patch({
    calendarId: row.calendar_id,
    eventId: instanceId,
    requestBody: {
      ...(payload.start ? { start: time(payload.start) } : {}),
      ...(payload.end ? { end: time(payload.end) } : {}),
      ...(payload.summary !== undefined ? { summary: payload.summary } : {}),
    },
  });
}

/** The two calls of "this and following": shorten the old series, insert the new one under our chosen id. */
async function applySplit(api: ReturnType<typeof calendarClient>, row: OutboxRow): Promise<void> {
  const payload = row.payload as {
    oldRecurrence: string[];
    newEvent: {
      id: string;
      summary: string | null;
      location: string | null;
      recurrence: string[];
      allDay: boolean;
      tzid: string | null;
      start: string;
      end: string;
    };
  };
  await api.events.patch({
    calendarId: row.calendar_id,
    eventId: row.google_event_id,
    requestBody: { recurrence: payload.oldRecurrence },
  });
  const next = payload.newEvent;
  const time = (value: string) =>
    next.allDay ? { date: value } : { dateTime: value, ...(next.tzid ? { timeZone: next.tzid } : {}) };
  try {
    await api.events.insert({
      calendarId: row.calendar_id,
      requestBody: {
        id: next.id,
        ...(next.summary ? { summary: next.summary } : {}),
        ...(next.location ? { location: next.location } : {}),
        start: time(next.start),
        end: time(next.end),
        recurrence: next.recurrence,
      },
    });
  } catch (error) {
    // 409: inserted by an earlier attempt whose answer was lost — the write-back is already applied.
    if ((error as { response?: { status?: number } }).response?.status !== 409) throw error;
  }
}
