/**
 * messages.list over a mailbox that is never held in memory: a date window becomes a range of positions by
 * binary search; within it, positions are scanned newest first and filtered on cheap traits only.
 */
import type { Mailbox } from './mailbox.ts';
import type { ListFilter } from './query.ts';
import { isSpamOrTrash } from './traits.ts';

export interface ListResult {
  messages: { id: string; threadId: string }[];
  /** Position the next page starts at, when there is one. */
  next?: number;
  resultSizeEstimate: number;
}

export function listMessages(
  mailbox: Mailbox,
  filter: ListFilter,
  maxResults: number,
  from?: number,
): ListResult {
  const low =
    filter.before === undefined ? mailbox.firstPosition : mailbox.firstPositionBefore(filter.before);
  const high = filter.after === undefined ? mailbox.size : mailbox.firstPositionBefore(filter.after);
  const start = Math.max(low, from ?? low);
  const matches = (position: number) => {
    if (mailbox.isDeleted(position)) return false;
    const view = mailbox.view(position);
    if (!filter.includeSpamTrash && isSpamOrTrash(view.labelIds)) return false;
    for (const label of filter.labelIds) if (!view.labelIds.includes(label)) return false;
    if (filter.from !== undefined) {
      const author =
        view.traits.kind === 'sent'
          ? mailbox.owner
          : `${view.traits.correspondent.name} <${view.traits.correspondent.address}>`;
      if (!author.toLowerCase().includes(filter.from)) return false;
    }
    return true;
  };

  const messages: ListResult['messages'] = [];
  let position = start;
  for (; position < high && messages.length < maxResults; position++) {
    if (matches(position))
      messages.push({ id: mailbox.idOf(position), threadId: mailbox.threadIdOf(position) });
  }
  const scanned = position - start;
  // Look ahead for one more match, so a last page never comes with a token to an empty page.
  while (position < high && !matches(position)) position++;
  const next = position < high ? position : undefined;

  // Like Google's, the size is an estimate: exact when one page saw the whole window, else extrapolated.
  const resultSizeEstimate =
    next === undefined && start === low
      ? messages.length
      : Math.round((messages.length / Math.max(1, scanned)) * (high - low));
  return { messages, ...(next === undefined ? {} : { next }), resultSizeEstimate };
}
