import type { EmailSummary } from '@firstlight/contracts';
import { describe, expect, it } from 'vitest';
import { compareNewestFirst, flattenPages, mergeOlder, newerThanTop } from './email-order.ts';

const ACCOUNT_A = '00000000-0000-4000-8000-0000000000a1';
const ACCOUNT_B = '00000000-0000-4000-8000-0000000000b2';

function email(id: string, minute: number, accountId = ACCOUNT_A): EmailSummary {
  return {
    id,
    accountId,
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

  it("keeps two accounts' messages with the same id apart, ordered like the API (date, account, id)", () => {
    const merged = mergeOlder([email('m1', 30, ACCOUNT_A)], [email('m1', 30, ACCOUNT_B), email('m0', 10)]);
    expect(merged.map((e) => `${e.accountId.slice(-2)}/${e.id}`)).toEqual(['b2/m1', 'a1/m1', 'a1/m0']);
  });

  it('flattens pages into one list, each row once, sorted when a late row came in', () => {
    const rows = flattenPages([
      { emails: [email('d', 40), email('b', 20)] },
      { emails: [email('b', 20), email('c', 30), email('a', 10)] },
    ]);
    expect(rows.map((e) => e.id)).toEqual(['d', 'c', 'b', 'a']);
  });
});
