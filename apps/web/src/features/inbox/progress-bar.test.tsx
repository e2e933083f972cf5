// @vitest-environment happy-dom
import type { IngestionProgress } from '@firstlight/contracts';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { nextProgress } from './progress.ts';
import { ProgressBar } from './progress-bar.tsx';
import { batchComplete, jobId, runningJob } from './progress-fixtures.ts';

const running: IngestionProgress = { ...runningJob, etaSeconds: 600 };
// Three hours before the next UTC midnight.
const NOW = new Date('2026-12-01T21:00:00.000Z');
const MIDNIGHT = '2026-12-02T00:00:00.004Z';

afterEach(cleanup);

describe('the sync bar when the day’s Google quota is spent', () => {
  it('says the rest continues at 00:00 UTC, and in how long, instead of an ETA', () => {
    // What the open page receives when the batches are deferred to tomorrow's budget.
    const waiting = nextProgress(running, {
      type: 'quota_wait',
      jobId,
      quotaWait: { reason: 'daily_budget', resumesAt: MIDNIGHT, batches: 3, everything: true },
    });
    render(<ProgressBar progress={waiting} needsReauth={false} now={NOW} />);
    const text = screen.getByText(/Today's Google quota for this app is used up/);
    expect(text.textContent).toBe(
      "12,000 of 48,213 messages · archive · Today's Google quota for this app is used up — the rest of your mailbox continues at 00:00 UTC (in 3 h)",
    );
    expect(text.textContent).not.toContain('left');
    expect(screen.getByTestId('progress').getAttribute('data-state')).toBe('paused');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuetext')).toContain(
      'the rest of your mailbox continues at 00:00 UTC',
    );
  });

  it('keeps the ETA and the syncing state while only older mail waits', () => {
    const some = {
      ...running,
      quotaWait: { reason: 'daily_budget' as const, resumesAt: MIDNIGHT, batches: 1, everything: false },
    };
    render(<ProgressBar progress={some} needsReauth={false} now={NOW} />);
    expect(screen.getByTestId('progress').getAttribute('data-state')).toBe('running');
    expect(screen.getByText(/about 10 min left/).textContent).toContain(
      'older mail, which continues at 00:00 UTC (in 3 h)',
    );
  });

  it('drops the message once a batch runs again the next day', () => {
    const waiting = {
      ...running,
      quotaWait: { reason: 'daily_budget' as const, resumesAt: MIDNIGHT, batches: 3, everything: true },
    };
    const resumed = nextProgress(waiting, batchComplete({ etaSeconds: 300, quotaWait: null }));
    render(<ProgressBar progress={resumed} needsReauth={false} now={NOW} />);
    expect(screen.queryByText(/Google quota/)).toBeNull();
    expect(screen.getByText(/about 5 min left · syncing/)).toBeTruthy();
  });
});
