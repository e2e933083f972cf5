import type { HistoryRecord } from './history.ts';
import type { Traits } from './traits.ts';

/** How a Mailbox (mailbox.ts) is built, saved and scanned. */

export interface MailboxOptions {
  seed: number;
  size: number;
  /** The account's address: To of received mail, From of sent mail. */
  owner: string;
  /** Epoch ms the generated mail ends just before. */
  anchor: number;
  /** How far back generated mail goes (default about six years). */
  spanMs?: number;
  /** Clock for delivered mail (default Date.now). */
  now?: () => number;
  /** Called after every run-time change (delivery, deletion, relabelling, history expiry). */
  onChange?: () => void;
}

/** The run-time overlays, as saved across restarts (src/state): generated mail is not in it. */
export interface MailboxChanges {
  delivered: { internalDate: number; historyId: number; id: string }[];
  deleted: number[];
  labels: [slot: number, labelIds: string[]][];
  history: HistoryRecord[];
  historyId: number;
  retainedFrom: number;
}

/** What a list or history scan needs of a message without building its content. */
export interface SlotView {
  slot: number;
  traits: Traits;
  labelIds: string[];
}
