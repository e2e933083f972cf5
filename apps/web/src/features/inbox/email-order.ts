import type { EmailSummary } from '@firstlight/contracts';

/**
 * The inbox's order, as the API's keyset cursor sorts it: internalDate descending, then id descending.
 * ISO instants from the API share one format, so comparing the strings compares the instants.
 */
export function compareNewestFirst(a: EmailSummary, b: EmailSummary): number {
  if (a.internalDate !== b.internalDate) return a.internalDate < b.internalDate ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/**
 * Adds rows to a newest-first list without duplicates. Pages fetched by cursor are older than everything shown,
 * so they are appended as they are; only a row that lands inside the list (rare: a late batch) costs a sort.
 */
export function mergeOlder(current: EmailSummary[], incoming: EmailSummary[]): EmailSummary[] {
  const known = new Set(current.map((email) => email.id));
  const fresh = incoming.filter((email) => !known.has(email.id));
  if (fresh.length === 0) return current;
  const last = current.at(-1);
  const inOrder = fresh.every(
    (email, i) => i === 0 || compareNewestFirst(fresh[i - 1] as EmailSummary, email) < 0,
  );
  const firstFresh = fresh[0] as EmailSummary;
  if (inOrder && (!last || compareNewestFirst(last, firstFresh) < 0)) return current.concat(fresh);
  return current.concat(fresh).sort(compareNewestFirst);
}

/** The rows of `page` newer than the top of the list: what the "N new messages" affordance holds back. */
export function newerThanTop(current: EmailSummary[], page: EmailSummary[]): EmailSummary[] {
  const top = current[0];
  if (!top) return [];
  return page.filter((email) => compareNewestFirst(email, top) < 0);
}
