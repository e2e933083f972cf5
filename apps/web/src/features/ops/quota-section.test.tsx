// @vitest-environment happy-dom
import { OpsQuotaPlanResponse } from '@firstlight/contracts';
import { cleanup, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { QuotaSectionView } from './quota-section.tsx';

const classes = (used: Record<string, number>, budget: number, waiting: Record<string, [number, number]>) =>
  (
    [
      ['interactive', 1],
      ['sync', 1],
      ['high', 0.9],
      ['low', 0.75],
    ] as const
  ).map(([cls, share]) => ({
    class: cls,
    units: used[cls] ?? 0,
    limit: budget * share,
    waitingForTomorrow: Object.values(used).reduce((a, b) => a + b, 0) >= budget * share,
    demand: { users: waiting[cls]?.[0] ?? 0, units: waiting[cls]?.[1] ?? 0 },
  }));

// The low class spent its 75 % of a 10,000-unit day; high still open; 2 users wait in low.
const plan = OpsQuotaPlanResponse.parse({
  scheduler: 'project',
  day: '2026-12-01',
  resetsAt: '2026-12-02T00:00:00.000Z',
  resources: [
    {
      resource: 'gmail',
      dailyBudget: 10_000,
      usedToday: 8_000,
      byClass: classes({ interactive: 500, high: 7_500 }, 10_000, { low: [2, 1_500] }),
      window: {
        projectLimit: 1_200_000,
        userLimit: 15_000,
        windowMs: 60_000,
        utilisation: 0.95,
        plannedPerWindow: 600_000,
        projectHeldUntil: null,
        usersHeld: 1,
      },
    },
    {
      resource: 'calendar',
      dailyBudget: 1_000_000,
      usedToday: 12,
      byClass: classes({ sync: 12 }, 1_000_000, {}),
      window: {
        projectLimit: 10_000,
        userLimit: 600,
        windowMs: 60_000,
        utilisation: 0.95,
        plannedPerWindow: 0,
        projectHeldUntil: null,
        usersHeld: 0,
      },
    },
  ],
  unitsPerMessage: 5.25,
  unitsPerOnboardedUser: 10_512,
  rateLimited: { thisInstance: 3, since: '2026-12-01T20:00:00.000Z' },
});

afterEach(cleanup);

describe('the ops page’s Google quota section', () => {
  it('labels every figure: units per message and per user, usage against the project limit, the budget left', () => {
    render(<QuotaSectionView data={plan} now={new Date('2026-12-01T21:00:00.000Z')} />);
    const section = screen.getByRole('region', { name: 'Google quota' });
    // A definition list: each figure under its label.
    const term = (name: string) => within(section).getByText(name).nextElementSibling?.textContent;
    expect(term('Units per stored message')).toBe('5.3');
    expect(term('Units per onboarded user')).toBe('10,512');
    expect(term('Gmail answers 429 (rate limited)')).toContain('3');
    expect(section.textContent).toContain('(00:00 UTC, in 3 h)');

    const project = within(screen.getByRole('table', { name: 'Project limit and today’s budget' }));
    const gmail = project.getByRole('row', { name: /Gmail/ });
    const cells = within(gmail)
      .getAllByRole('cell')
      .map((cell) => cell.textContent);
    expect(cells).toEqual([
      '1,200,000 (target 95 %)',
      '600,000 (50 %)',
      '15,000',
      '8,000 of 10,000 (80 %)',
      '2,000',
      '1 user',
    ]);
    expect(project.getByRole('columnheader', { name: 'Project limit (per minute)' })).toBeTruthy();
  });

  it('says in words which class waits for tomorrow and what waits now (no colour-only meaning)', () => {
    render(<QuotaSectionView data={plan} now={new Date('2026-12-01T21:00:00.000Z')} />);
    const table = within(screen.getByRole('table', { name: /By priority class/ }));
    const row = (name: string) =>
      within(table.getAllByRole('row').find((r) => r.textContent?.startsWith(`gmail${name}`))!)
        .getAllByRole('cell')
        .map((cell) => cell.textContent);
    expect(row('low')).toEqual(['gmail', '0', '7,500', 'spent: waits for tomorrow', '2 users, 1,500 units']);
    expect(row('high')).toEqual(['gmail', '7,500', '9,000', 'open', 'nothing']);
  });
});
