import type { CalendarWritebackTask } from '@firstlight/contracts';
import type { Database } from '@firstlight/db';
import type { Kysely } from 'kysely';
import { backoffMs } from '../lib/backoff.ts';
import type { TaskResult } from '../tasks/index.ts';
import { findCalendarAccount } from './calendar-account-repository.ts';
import { type CalendarSource, type CalendarSources, type NewSeries, providerOf } from './calendar-source.ts';
import { claimOutbox, finishOutbox, type OutboxRow } from './writeback-repository.ts';

export interface WritebackDeps {
  db: Kysely<Database>;
  sources: CalendarSources;
  log: { warn(o: object, m: string): void };
  /** Attempts before a write-back is recorded as failed (and shown) instead of retried. */
  maxAttempts: number;
}

/**
 * Applies one outbox row at the event's provider: an occurrence cancelled or patched (moved, retitled), the
 * series deleted or split. Already applied (gone, on a delete or cancel) counts as done: a repeated delivery
 * must not fail. Retryable failures go back to the queue with backoff; after `maxAttempts`, or on a refusal
 * that will not change (400, 403), the row is `failed` with the reason, visible in the API.
 */
export async function runWriteback(deps: WritebackDeps, task: CalendarWritebackTask): Promise<TaskResult> {
  const row = await claimOutbox(deps.db, task.outboxId);
  if (!row) return { outcome: 'done' }; // done, failed, or unknown: nothing to do
  // The event's own account (migrations/0007): a user with several accounts writes back to the right one.
  const account = await findCalendarAccount(deps.db, row.account_id);
  if (!account) {
    await finishOutbox(deps.db, row.id, { status: 'failed', error: 'reauth_required: the account is gone' });
    return { outcome: 'done' };
  }
  const provider = providerOf(deps.sources, account.provider);
  try {
    await apply(await provider.forAccount(row.account_id), row);
    await finishOutbox(deps.db, row.id, { status: 'done' });
    return { outcome: 'done' };
  } catch (error) {
    const failure = provider.classify(error);
    const message = error instanceof Error ? error.message : String(error);
    if (failure.kind === 'reauth') {
      await finishOutbox(deps.db, row.id, { status: 'failed', error: `reauth_required: ${message}` });
      return { outcome: 'done' };
    }
    if (failure.kind === 'gone' && row.operation !== 'patch_occurrence') {
      await finishOutbox(deps.db, row.id, { status: 'done' }); // already cancelled or deleted there
      return { outcome: 'done' };
    }
    const retryable = failure.kind === 'rate_limited' || failure.kind === 'transient';
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

interface OccurrencePayload {
  originalStart?: string;
  allDay?: boolean;
  tzid?: string | null;
  start?: string;
  end?: string;
  summary?: string;
}

async function apply(source: CalendarSource, row: OutboxRow): Promise<void> {
  if (row.operation === 'delete_series') {
    await source.deleteSeries(row.calendar_id, row.google_event_id);
    return;
  }
  if (row.operation === 'split_series') {
    // The two calls of "this and following": shorten the old series, insert the new one under our chosen id.
    const payload = row.payload as { oldRecurrence: string[]; newEvent: NewSeries };
    await source.setRecurrence(row.calendar_id, row.google_event_id, payload.oldRecurrence);
    await source.insertSeries(row.calendar_id, payload.newEvent);
    return;
  }
  const { originalStart, allDay = false, tzid = null, ...fields } = row.payload as OccurrencePayload;
  if (!originalStart) throw new Error(`outbox ${row.id}: no occurrence to write back`);
  if (row.operation === 'cancel_occurrence') {
    await source.cancelOccurrence(row.calendar_id, row.google_event_id, originalStart);
    return;
  }
  await source.patchOccurrence(row.calendar_id, row.google_event_id, originalStart, {
    allDay,
    tzid,
    ...fields,
  });
}
