import type { BatchStatus, JobStatus } from '@firstlight/db';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchEvent,
  type BatchState,
  batchTransition,
  type JobEvent,
  type JobState,
  jobTransition,
} from './job-machine.ts';

const jobStatuses: JobStatus[] = ['pending', 'listing', 'running', 'paused', 'stalled', 'complete', 'failed'];
const batchStatuses: BatchStatus[] = ['pending', 'enqueued', 'running', 'done', 'failed'];

/** The edges the design allows, written out independently of the machine (ARCHITECTURE §3). */
const allowedJobEdges = new Set([
  'pending→listing',
  'pending→running',
  'pending→stalled',
  'pending→paused',
  'listing→running',
  'listing→stalled',
  'listing→paused',
  'running→listing', // only a listing restarted after progress: never with listing done (see below)
  'running→stalled',
  'running→paused',
  'running→complete',
  'listing→complete', // the last page and its completion check, with no batch open
  'pending→complete',
  'stalled→listing',
  'stalled→running',
  'stalled→paused',
  'stalled→complete',
  'paused→listing',
  'paused→running',
]);
const allowedBatchEdges = new Set([
  'pending→enqueued',
  'failed→enqueued',
  'running→enqueued',
  'pending→running',
  'enqueued→running',
  'failed→running',
  'running→running',
  'enqueued→pending',
  'running→pending',
  'failed→pending',
  'running→done',
]);

const owners = fc.constantFrom('a', 'b');
const jobState: fc.Arbitrary<JobState> = fc.record({
  status: fc.constantFrom(...jobStatuses),
  listingDone: fc.boolean(),
});
const jobEvent: fc.Arbitrary<JobEvent> = fc.oneof(
  fc.constant({ type: 'listing-started' as const }),
  fc.constant({ type: 'listing-finished' as const }),
  fc.constant({ type: 'progress' as const }),
  fc.constant({ type: 'resumed' as const }),
  fc.record({ type: fc.constant('stall' as const), reason: fc.string() }),
  fc.record({ type: fc.constant('reauth-required' as const), reason: fc.string() }),
  fc.record({ type: fc.constant('check-complete' as const), openBatches: fc.nat(3) }),
);
const batchState: fc.Arbitrary<BatchState> = fc.record({
  status: fc.constantFrom(...batchStatuses),
  generation: fc.nat(3),
  attempts: fc.nat(3),
  owner: fc.option(owners, { nil: null }),
});
const batchEvent: fc.Arbitrary<BatchEvent> = fc.oneof(
  fc.constant({ type: 'enqueue' as const }),
  fc.record({ type: fc.constant('reclaim' as const), seen: fc.nat(3) }),
  fc.record({
    type: fc.constant('lease' as const),
    generation: fc.nat(3),
    owner: owners,
    leaseLive: fc.boolean(),
  }),
  fc.record({ type: fc.constant('renew' as const), generation: fc.nat(3), owner: owners }),
  fc.record({
    type: fc.constant('release' as const),
    generation: fc.nat(3),
    owner: fc.option(owners, { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('complete' as const),
    generation: fc.nat(3),
    owner: owners,
    stored: fc.nat(1000),
    failed: fc.nat(10),
  }),
);

describe('the job machine', () => {
  it('accepts no transition outside the allowed edges', () => {
    fc.assert(
      fc.property(jobState, jobEvent, (state, event) => {
        const decision = jobTransition(state, event);
        if (!decision.ok || decision.state.status === state.status) return;
        expect(allowedJobEdges).toContain(`${state.status}→${decision.state.status}`);
        // Listing restarts only while the list is unknown.
        if (decision.state.status === 'listing') expect(decision.state.listingDone).toBe(false);
      }),
    );
  });

  it('keeps terminal states terminal', () => {
    fc.assert(
      fc.property(jobState, fc.array(jobEvent), (start, events) => {
        fc.pre(start.status === 'complete' || start.status === 'failed');
        let state = start;
        for (const event of events) {
          const decision = jobTransition(state, event);
          if (decision.ok) state = decision.state;
          expect(state).toEqual(start);
        }
      }),
    );
  });

  it('leaves paused only by the user signing in again', () => {
    fc.assert(
      fc.property(jobState, jobEvent, (state, event) => {
        fc.pre(state.status === 'paused');
        const decision = jobTransition(state, event);
        if (decision.ok && decision.state.status !== 'paused') expect(event.type).toBe('resumed');
      }),
    );
  });

  it('completes only once listing is done and no batch is open, and then starts sync', () => {
    fc.assert(
      fc.property(jobState, jobEvent, (state, event) => {
        const decision = jobTransition(state, event);
        if (!decision.ok || decision.state.status !== 'complete' || state.status === 'complete') return;
        expect(event).toEqual({ type: 'check-complete', openBatches: 0 });
        expect(state.listingDone).toBe(true);
        expect(decision.effects).toContainEqual({ type: 'start-sync' });
      }),
    );
  });

  it('tells users of every status change, and of nothing else', () => {
    fc.assert(
      fc.property(jobState, jobEvent, (state, event) => {
        const decision = jobTransition(state, event);
        if (!decision.ok) return;
        const told = decision.effects.filter((effect) => effect.type === 'status-changed');
        expect(told.map((effect) => effect.status)).toEqual(
          decision.state.status === state.status ? [] : [decision.state.status],
        );
      }),
    );
  });
});

describe('the batch machine', () => {
  it('accepts no transition outside the allowed edges', () => {
    fc.assert(
      fc.property(batchState, batchEvent, (state, event) => {
        const decision = batchTransition(state, event);
        if (!decision.ok || decision.state.status === state.status) return;
        expect(allowedBatchEdges).toContain(`${state.status}→${decision.state.status}`);
      }),
    );
  });

  it('refuses every event for a done batch', () => {
    fc.assert(
      fc.property(batchState, batchEvent, (state, event) => {
        fc.pre(state.status === 'done');
        expect(batchTransition(state, event).ok).toBe(false);
      }),
    );
  });

  it('moves counts once per batch however often completions are delivered, and only for its lease holder', () => {
    fc.assert(
      fc.property(fc.array(batchEvent, { maxLength: 40 }), (events) => {
        let state: BatchState = { status: 'pending', generation: 0, attempts: 0, owner: null };
        const counted: number[] = [];
        for (const event of events) {
          const decision = batchTransition(state, event);
          if (!decision.ok) continue;
          if (event.type === 'complete') {
            expect(state).toMatchObject({
              status: 'running',
              owner: event.owner,
              generation: event.generation,
            });
          }
          for (const effect of decision.effects) counted.push(effect.ingested);
          state = decision.state;
        }
        expect(counted.length).toBe(state.status === 'done' ? 1 : 0);
      }),
    );
  });

  it('never lets a second worker take a batch whose lease is live', () => {
    fc.assert(
      fc.property(batchState, owners, (state, owner) => {
        fc.pre(state.status === 'running');
        const event: BatchEvent = { type: 'lease', generation: state.generation, owner, leaseLive: true };
        expect(batchTransition(state, event).ok).toBe(false);
      }),
    );
  });
});

describe('a job and its batches together', () => {
  it('is complete only when every batch is done, and the counts add up exactly', () => {
    const step = fc.oneof(
      jobEvent.map((event) => ({ on: 'job' as const, event })),
      fc.record({ on: fc.constant('batch' as const), seq: fc.nat(2), event: batchEvent }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        let job: JobState = { status: 'pending', listingDone: false };
        const batches: BatchState[] = [0, 1, 2].map(() => ({
          status: 'pending',
          generation: 0,
          attempts: 0,
          owner: null,
        }));
        let ingested = 0;
        const stored: number[] = [0, 0, 0];
        for (const next of steps) {
          if (next.on === 'batch') {
            const decision = batchTransition(batches[next.seq]!, next.event);
            if (!decision.ok) continue;
            batches[next.seq] = decision.state;
            for (const effect of decision.effects) ingested += effect.ingested;
            if (next.event.type === 'complete') stored[next.seq] = next.event.stored;
            continue;
          }
          // The store counts the open batches itself: callers cannot claim zero.
          const event: JobEvent =
            next.event.type === 'check-complete'
              ? { type: 'check-complete', openBatches: batches.filter((b) => b.status !== 'done').length }
              : next.event;
          const decision = jobTransition(job, event);
          if (decision.ok) job = decision.state;
          if (job.status === 'complete') {
            expect(job.listingDone).toBe(true);
            expect(batches.every((batch) => batch.status === 'done')).toBe(true);
          }
        }
        expect(ingested).toBe(stored.reduce((sum, n) => sum + n, 0));
      }),
      { numRuns: 500 },
    );
  });
});
