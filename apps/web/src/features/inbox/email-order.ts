import type { EmailSummary } from '@firstlight/contracts';

/** A row's identity: message ids are unique within one account only, so keys and selection use both. */
export function emailKey(email: EmailSummary): string {
  return `${email.accountId}:${email.id}`;
}

/**
 * The inbox's order, as the API's keyset cursor sorts it: internalDate descending, then account, then message id,
 * each descending. ISO instants from the API share one format, so comparing the strings compares the instants.
 */
export function compareNewestFirst(a: EmailSummary, b: EmailSummary): number {
  if (a.internalDate !== b.internalDate) return a.internalDate < b.internalDate ? 1 : -1;
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

function isSorted(rows: EmailSummary[]): boolean {
  return rows.every((email, i) => i === 0 || compareNewestFirst(rows[i - 1] as EmailSummary, email) < 0);
}

/**
 * Adds rows to a newest-first list without duplicates. Pages fetched by cursor are older than everything shown,
 * so they are appended as they are; only a row that lands inside the list (rare: a late batch) costs a sort.
 */
export function mergeOlder(current: EmailSummary[], incoming: EmailSummary[]): EmailSummary[] {
  const known = new Set(current.map(emailKey));
  const fresh = incoming.filter((email) => !known.has(emailKey(email)));
  if (fresh.length === 0) return current;
  const last = current.at(-1);
  const firstFresh = fresh[0] as EmailSummary;
  if (isSorted(fresh) && (!last || compareNewestFirst(last, firstFresh) < 0)) return current.concat(fresh);
  return current.concat(fresh).sort(compareNewestFirst);
}

/** The rows of the loaded pages as one newest-first list, each row once (one pass; a sort only if needed). */
export function flattenPages(pages: readonly { emails: EmailSummary[] }[]): EmailSummary[] {
  const seen = new Set<string>();
  const rows: EmailSummary[] = [];
  for (const page of pages) {
    for (const email of page.emails) {
      const key = emailKey(email);
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(email);
    }
  }
  return isSorted(rows) ? rows : rows.sort(compareNewestFirst);
}

/** The rows of `page` newer than the top of the list: what the "N new messages" affordance holds back. */
export function newerThanTop(current: EmailSummary[], page: EmailSummary[]): EmailSummary[] {
  const top = current[0];
  if (!top) return [];
  return page.filter((email) => compareNewestFirst(email, top) < 0);
}
