import type { BatchStatus, JobStatus } from '@firstlight/db';

/**
 * The backfill's state machine, pure: no I/O, no clock. The job store (job-repository.ts, batch-repository.ts,
 * list-lease-repository.ts) reads a row FOR UPDATE, asks this module, and writes what it decides — or, for the
 * hot single-statement writes (leases, scheduling), guards its SQL with the status sets exported here, so the
 * rule lives once.
 *
 *   pending ─┬─ listing-started ─▶ listing ─ progress (listing done) ─▶ running ─ check-complete ─▶ complete
 *            └─ progress ───────▶ (listing | running)
 *   any working status ─ stall ─▶ stalled ─ progress ─▶ (listing | running)
 *   any working status ─ reauth-required ─▶ paused ─ resumed (the user signed in again) ─▶ (listing | running)
 *   complete and failed are terminal. `failed` is a schema value no event enters today.
 */

export type Decision<S, E> = { ok: true; state: S; effects: E[] } | { ok: false; error: IllegalTransition };

/** A transition the machine refuses: the caller changes nothing (a stale delivery, a race lost). */
export class IllegalTransition extends Error {
  constructor(
    readonly from: string,
    readonly event: string,
    readonly why: string,
  ) {
    super(`${event} from ${from}: ${why}`);
    this.name = 'IllegalTransition';
  }
}

const accept = <S, E>(state: S, effects: E[] = []): Decision<S, E> => ({ ok: true, state, effects });
const refuse = <S, E>(from: string, event: string, why: string): Decision<S, E> => ({
  ok: false,
  error: new IllegalTransition(from, event, why),
});

// ── Jobs ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Finished for good: nothing moves a job out of these. */
export const TERMINAL_JOB: readonly JobStatus[] = ['complete', 'failed'];
/** No work may be taken (leases, scheduling): paused waits for the user, terminal for nobody. */
export const HALTED_JOB: readonly JobStatus[] = ['paused', ...TERMINAL_JOB];
/** The job works: listers and batches run, the reconciler schedules and may mark it stalled. */
export const WORKING_JOB: readonly JobStatus[] = ['pending', 'listing', 'running', 'stalled'];

export interface JobState {
  status: JobStatus;
  listingDone: boolean;
}

export type JobEvent =
  | { type: 'listing-started' }
  | { type: 'listing-finished' }
  /** A page listed or a batch done: clears `stalled` and `pending`. */
  | { type: 'progress' }
  | { type: 'stall'; reason: string }
  | { type: 'reauth-required'; reason: string }
  /** The user signed in again. */
  | { type: 'resumed' }
  /** Asked after a batch or the listing finished; `openBatches` counts batches not done. */
  | { type: 'check-complete'; openBatches: number };

export type JobEffect =
  /** Users are told (`job_status`); a terminal status also records `finished_at`. */
  | { type: 'status-changed'; status: JobStatus; reason: string | null }
  /** Incremental sync starts at the cursor taken before listing. */
  | { type: 'start-sync' };

/** The status a working job shows: listing until the list is known, then running. */
export const workingStatus = (listingDone: boolean): JobStatus => (listingDone ? 'running' : 'listing');

const moveTo = (state: JobState, status: JobStatus, reason: string | null): Decision<JobState, JobEffect> =>
  status === state.status
    ? accept(state)
    : accept({ ...state, status }, [{ type: 'status-changed', status, reason }]);

export function jobTransition(state: JobState, event: JobEvent): Decision<JobState, JobEffect> {
  const from = state.status;
  if (TERMINAL_JOB.includes(from)) {
    // A late page or batch of a finished job changes nothing; anything else is refused.
    return event.type === 'progress' ? accept(state) : refuse(from, event.type, 'the job is finished');
  }
  switch (event.type) {
    case 'progress':
      return from === 'paused' ? accept(state) : moveTo(state, workingStatus(state.listingDone), null);
    case 'listing-started':
      if (from === 'paused') return refuse(from, event.type, 'a paused job resumes only by signing in');
      if (state.listingDone) return refuse(from, event.type, 'listing is done');
      return moveTo(state, 'listing', null);
    case 'listing-finished':
      if (state.listingDone) return refuse(from, event.type, 'listing is already done');
      return accept({ ...state, listingDone: true });
    case 'stall':
      if (from === 'paused') return refuse(from, event.type, 'a paused job waits for the user');
      return moveTo(state, 'stalled', event.reason);
    case 'reauth-required':
      return moveTo(state, 'paused', `reauth_required: ${event.reason}`);
    case 'resumed':
      return from === 'paused' ? moveTo(state, workingStatus(state.listingDone), null) : accept(state);
    case 'check-complete':
      if (from === 'paused') return refuse(from, event.type, 'a paused job completes after sign-in');
      if (!state.listingDone) return refuse(from, event.type, 'listing is not done');
      if (event.openBatches > 0) return refuse(from, event.type, `${event.openBatches} batches are open`);
      return accept({ ...state, status: 'complete' }, [
        { type: 'status-changed', status: 'complete', reason: null },
        { type: 'start-sync' },
      ]);
  }
}

// ── Batches ──────────────────────────────────────────────────────────────────────────────────────────────

/** A batch a worker may lease for its delivery (a running one only once its lease lapsed). */
export const LEASABLE_BATCH: readonly BatchStatus[] = ['pending', 'enqueued', 'failed'];
/** A batch the scheduler may enqueue next. */
export const SCHEDULABLE_BATCH: readonly BatchStatus[] = ['pending', 'failed'];

export interface BatchState {
  status: BatchStatus;
  generation: number;
  attempts: number;
  owner: string | null;
}

export type BatchEvent =
  /** The scheduler enqueues it under a new generation (hence a new task name). */
  | { type: 'enqueue' }
  /** Its task was lost (lease lapsed, owner gone, enqueued long ago): re-enqueued if still at `seen`. */
  | { type: 'reclaim'; seen: number }
  /** A delivery takes it; `leaseLive` says whether a running batch's lease is still held by a live owner. */
  | { type: 'lease'; generation: number; owner: string; leaseLive: boolean }
  | { type: 'renew'; generation: number; owner: string }
  /** Given back, keeping what is stored; with `owner`, only by the worker that holds it. */
  | { type: 'release'; generation: number; owner?: string }
  | { type: 'complete'; generation: number; owner: string; stored: number; failed: number };

/** Counts move only here: once, on the transition to done. */
export type BatchEffect = { type: 'count'; ingested: number; failed: number };

export function batchTransition(state: BatchState, event: BatchEvent): Decision<BatchState, BatchEffect> {
  const from = state.status;
  if (from === 'done') return refuse(from, event.type, 'the batch is done');
  if (event.type === 'enqueue') {
    if (!SCHEDULABLE_BATCH.includes(from)) return refuse(from, event.type, 'the batch is in flight');
    return accept({ ...state, status: 'enqueued', generation: state.generation + 1 });
  }
  if (event.type === 'reclaim') {
    if (event.seen !== state.generation) return refuse(from, event.type, 'already re-enqueued');
    return accept({
      status: 'enqueued',
      generation: state.generation + 1,
      attempts: state.attempts,
      owner: null,
    });
  }
  if (event.generation !== state.generation) return refuse(from, event.type, 'a stale generation');
  switch (event.type) {
    case 'lease':
      if (from === 'running' && event.leaseLive) return refuse(from, event.type, 'leased by another worker');
      return accept({ ...state, status: 'running', attempts: state.attempts + 1, owner: event.owner });
    case 'renew':
      if (from !== 'running' || state.owner !== event.owner) return refuse(from, event.type, 'lease lost');
      return accept(state);
    case 'release':
      if (event.owner !== undefined && state.owner !== event.owner) {
        return refuse(from, event.type, 'another worker holds it');
      }
      return accept({ ...state, status: 'pending', owner: null });
    case 'complete':
      if (from !== 'running' || state.owner !== event.owner) return refuse(from, event.type, 'lease lost');
      return accept({ ...state, status: 'done' }, [
        { type: 'count', ingested: event.stored, failed: event.failed },
      ]);
  }
}
