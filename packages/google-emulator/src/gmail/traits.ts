/**
 * The cheap facts of a message — who sent it, its labels, its thread — computed from (seed, slot) alone so a
 * list can filter a million messages without building any of them. A slot is a message's position in the
 * mailbox: 0 … size−1 for generated mail (0 newest), −1, −2 … for mail delivered at run time.
 */
import { mix, pick } from '../hash.ts';
import { type Category, SENDERS, type Sender } from './catalogue.ts';

const SALT_LABELS = 0x1abe1;
const SALT_SENDER = 0x5e4d;
const SALT_THREAD = 0x7412;

export type MessageKind = 'received' | 'sent' | 'spam' | 'trash';

export interface Traits {
  kind: MessageKind;
  /** For received mail the author; for sent mail the recipient. */
  correspondent: Sender;
  category: Category;
  labelIds: string[];
}

export function traitsOf(seed: number, slot: number): Traits {
  const h = mix(seed, slot, SALT_LABELS);
  const correspondent = pick(SENDERS, mix(seed, slot, SALT_SENDER));
  const roll = h % 1000;
  // Rates: 1.5 % spam, 1.5 % trash, 10 % sent, the rest received (80 % of it still in the inbox).
  const kind: MessageKind = roll < 15 ? 'spam' : roll < 30 ? 'trash' : roll < 130 ? 'sent' : 'received';
  const category = correspondent.category;
  const labelIds: string[] = [];
  // Recent mail is often unread; old mail rarely. Delivered mail (negative slots) counts as recent.
  const unreadPercent = slot < 300 ? 45 : 6;
  const unread = ((h >>> 10) & 127) % 100 < unreadPercent;
  if (kind === 'spam') {
    if (unread) labelIds.push('UNREAD');
    labelIds.push('SPAM');
  } else if (kind === 'sent') {
    if (((h >>> 17) & 7) === 0) labelIds.push('IMPORTANT');
    labelIds.push('SENT');
  } else {
    if (unread) labelIds.push('UNREAD');
    if (((h >>> 17) & 7) < 2) labelIds.push('IMPORTANT');
    if (((h >>> 20) & 31) === 0) labelIds.push('STARRED');
    labelIds.push(`CATEGORY_${category}`);
    if (kind === 'trash') labelIds.push('TRASH');
    else if (((h >>> 25) & 7) < 6) labelIds.push('INBOX');
  }
  return { kind, correspondent, category, labelIds };
}

export function isSpamOrTrash(labelIds: readonly string[]): boolean {
  return labelIds.includes('SPAM') || labelIds.includes('TRASH');
}

/**
 * The older slot this message replies to, or undefined when it starts a thread. About a third of mail
 * continues a conversation one to three messages older, so threads are short runs of near neighbours.
 */
export function parentSlot(seed: number, slot: number, size: number): number | undefined {
  const h = mix(seed, slot, SALT_THREAD);
  if (h % 100 >= 35) return undefined;
  const parent = slot + 1 + ((h >>> 8) % 3);
  if (parent >= size) return undefined;
  const kind = traitsOf(seed, slot).kind;
  return kind === 'spam' || kind === 'trash' ? undefined : parent;
}

/** The slot of the first (oldest) message of this message's thread: Gmail names a thread after it. */
export function threadRootSlot(seed: number, slot: number, size: number): number {
  let current = slot;
  for (;;) {
    const parent = parentSlot(seed, current, size);
    if (parent === undefined) return current;
    current = parent;
  }
}
