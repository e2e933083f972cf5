import type { EmailSummary } from '@firstlight/contracts';
import { describe, expect, it } from 'vitest';
import { compareNewestFirst, mergeOlder, newerThanTop } from './email-order.ts';

function email(id: string, minute: number): EmailSummary {
  return {
    id,
    accountId: '00000000-0000-4000-8000-0000000000a1',
    threadId: id,
    internalDate: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    from: null,
    to: null,
    subject: null,
    snippet: null,
    labelIds: [],
    sizeEstimate: null,
  };
}

describe('inbox order', () => {
  it('appends an older page as it is, keeping the array when nothing is new', () => {
    const shown = [email('c', 30), email('b', 20)];
    const merged = mergeOlder(shown, [email('b', 20), email('a', 10)]);
    expect(merged.map((e) => e.id)).toEqual(['c', 'b', 'a']);
    expect(mergeOlder(merged, [email('a', 10)])).toBe(merged);
  });

  it('sorts a late row into place', () => {
    const merged = mergeOlder([email('d', 40), email('b', 20)], [email('c', 30), email('a', 10)]);
    expect(merged.map((e) => e.id)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('breaks ties on the id, like the API cursor', () => {
    expect(compareNewestFirst(email('b', 1), email('a', 1))).toBeLessThan(0);
  });

  it('holds back only rows newer than the top', () => {
    const shown = [email('b', 20), email('a', 10)];
    const newer = newerThanTop(shown, [email('d', 40), email('c', 30), email('b', 20)]);
    expect(newer.map((e) => e.id)).toEqual(['d', 'c']);
    expect(newerThanTop([], [email('x', 1)])).toEqual([]);
  });
});
