/**
 * One account's mailbox. Generated mail is a pure function of (seed, slot) — see timeline.ts, traits.ts,
 * content.ts — so nothing per message is stored; run-time changes live in small overlays: delivered
 * messages (slots −1, −2, … dated after the anchor), deleted slots, label changes and the history log.
 *
 * Positions run newest first: −D … −1 for the D delivered messages (newest at −D), then 0 … size−1.
 */
import { mix } from '../hash.ts';
import { buildContent, type MessageContent } from './content.ts';
import { notFound } from './errors.ts';
import type { HistoryRecord, HistoryType, MessageRef } from './history.ts';
import { dateOfId, messageId } from './ids.ts';
import type { MailboxChanges, MailboxOptions, SlotView } from './mailbox-types.ts';
import type { MessageFacts } from './render.ts';
import { Timeline } from './timeline.ts';
import { parentSlot, threadRootSlot, traitsOf } from './traits.ts';

export type { MailboxChanges, MailboxOptions, SlotView } from './mailbox-types.ts';

export class Mailbox {
  readonly seed: number;
  readonly size: number;
  readonly owner: string;
  readonly timeline: Timeline;
  /** historyId of the oldest generated message: any start id from here on is answerable. */
  readonly baseHistoryId: number;
  readonly #now: () => number;
  readonly #onChange: () => void;
  readonly #delivered: { internalDate: number; historyId: number; id: string }[] = [];
  readonly #deliveredById = new Map<string, number>();
  readonly #deleted = new Set<number>();
  readonly #labels = new Map<number, string[]>();
  #history: HistoryRecord[] = [];
  #historyId: number;
  #retainedFrom: number;
  #generatedThreads: number | undefined;
  #version = 0;

  constructor(options: MailboxOptions) {
    this.seed = options.seed;
    this.size = options.size;
    this.owner = options.owner;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange ?? (() => {});
    this.timeline = new Timeline(options.seed, options.size, options.anchor, options.spanMs);
    this.baseHistoryId = 100_000 + (options.seed % 900_000);
    this.#historyId = options.size > 0 ? this.historyIdOf(0) : this.baseHistoryId;
    this.#retainedFrom = this.baseHistoryId;
  }

  /** The mailbox's current (largest issued) historyId. */
  get historyId(): number {
    return this.#historyId;
  }

  /** Grows with every run-time change: what was rendered at an older version may be stale (render cache). */
  get version(): number {
    return this.#version;
  }

  get deliveredCount(): number {
    return this.#delivered.length;
  }

  /** First position (newest message); positions below `size` exist. */
  get firstPosition(): number {
    return -this.#delivered.length;
  }

  /** Generated slot i's historyId: strictly larger for newer mail (steps of 4 plus 0–3 of jitter). */
  historyIdOf(slot: number): number {
    if (slot < 0) return this.#delivered[-slot - 1]!.historyId;
    return this.baseHistoryId + (this.size - 1 - slot) * 4 + (mix(this.seed, slot, 0x415) & 3);
  }

  dateOf(slot: number): number {
    return slot < 0 ? this.#delivered[-slot - 1]!.internalDate : this.timeline.dateOf(slot);
  }

  idOf(slot: number): string {
    return slot < 0 ? this.#delivered[-slot - 1]!.id : messageId(this.seed, slot, this.timeline.dateOf(slot));
  }

  threadIdOf(slot: number): string {
    return this.idOf(threadRootSlot(this.seed, slot, this.size));
  }

  isDeleted(slot: number): boolean {
    return this.#deleted.has(slot);
  }

  view(slot: number): SlotView {
    const traits = traitsOf(this.seed, slot);
    return { slot, traits, labelIds: this.#labels.get(slot) ?? traits.labelIds };
  }

  /** The first position dated before `ms` (positions before it are dated at or after `ms`). */
  firstPositionBefore(ms: number): number {
    let position = this.firstPosition;
    // Delivered mail is newest first from −D; it is few, so a linear walk is enough.
    while (position < 0 && this.dateOf(position) >= ms) position++;
    return position < 0 ? position : this.timeline.countAtOrAfter(ms);
  }

  /** The slot of a live message with this id, or a 404. O(log size) for generated mail. */
  slotOf(id: string): number {
    const date = dateOfId(id);
    let slot: number | undefined;
    if (date === undefined) throw notFound();
    if (date > this.timeline.newest) {
      const k = this.#deliveredById.get(id);
      slot = k === undefined ? undefined : -k - 1;
    } else {
      const index = this.timeline.indexAt(date);
      if (index !== undefined && messageId(this.seed, index, date) === id) slot = index;
    }
    if (slot === undefined || this.#deleted.has(slot)) throw notFound();
    return slot;
  }

  facts(slot: number): MessageFacts {
    return {
      id: this.idOf(slot),
      threadId: this.threadIdOf(slot),
      labelIds: this.view(slot).labelIds,
      historyId: this.historyIdOf(slot),
      internalDate: this.dateOf(slot),
    };
  }

  content(slot: number): MessageContent {
    return buildContent({
      seed: this.seed,
      slot,
      internalDate: this.dateOf(slot),
      owner: this.owner,
      traits: traitsOf(this.seed, slot),
      id: this.idOf(slot),
    });
  }

  messagesTotal(): number {
    return this.size + this.#delivered.length - this.#deleted.size;
  }

  /** Threads: counted once over the generated mail (a pass over every slot), then kept. */
  threadsTotal(): number {
    if (this.#generatedThreads === undefined) {
      let roots = 0;
      for (let slot = 0; slot < this.size; slot++)
        if (parentSlot(this.seed, slot, this.size) === undefined) roots++;
      this.#generatedThreads = roots;
    }
    let delivered = 0;
    for (let k = 0; k < this.#delivered.length; k++)
      if (parentSlot(this.seed, -k - 1, this.size) === undefined) delivered++;
    return this.#generatedThreads + delivered;
  }

  /**
   * New mail arrives: each message is newer than everything before it, gets the next historyId and a
   * messageAdded record; Gmail's importance classifier then adds IMPORTANT in a record of its own.
   */
  deliver(count: number): MessageRef[] {
    const added: MessageRef[] = [];
    for (let n = 0; n < count; n++) {
      const k = this.#delivered.length;
      const slot = -k - 1;
      const previous = k > 0 ? this.#delivered[k - 1]!.internalDate : this.timeline.newest;
      const internalDate = Math.max(this.#now(), previous + 1000);
      const id = messageId(this.seed, slot, internalDate);
      this.#delivered.push({ internalDate, historyId: ++this.#historyId, id });
      this.#deliveredById.set(id, k);
      const labelIds = this.view(slot).labelIds;
      const important = labelIds.includes('IMPORTANT');
      const atArrival = important ? labelIds.filter((label) => label !== 'IMPORTANT') : labelIds;
      const ref = { id, threadId: this.threadIdOf(slot), labelIds: atArrival };
      this.#record('messageAdded', ref);
      if (important) {
        this.#delivered[k]!.historyId = ++this.#historyId;
        this.#record('labelAdded', { ...ref, labelIds }, ['IMPORTANT']);
      }
      added.push({ ...ref, labelIds });
    }
    if (added.length) this.#changed();
    return added;
  }

  /** Permanently deletes messages (unknown or already deleted ids are skipped, as batchDelete does). */
  deleteMessages(ids: readonly string[]): MessageRef[] {
    const deleted: MessageRef[] = [];
    for (const id of ids) {
      let slot: number;
      try {
        slot = this.slotOf(id);
      } catch {
        continue;
      }
      const ref = { id, threadId: this.threadIdOf(slot), labelIds: this.view(slot).labelIds };
      this.#deleted.add(slot);
      this.#historyId++;
      this.#record('messageDeleted', ref);
      deleted.push(ref);
    }
    if (deleted.length) this.#changed();
    return deleted;
  }

  /** Adds and removes labels (e.g. a read elsewhere removes UNREAD); records labelAdded / labelRemoved. */
  modifyLabels(ids: readonly string[], add: readonly string[], remove: readonly string[]): void {
    try {
      for (const id of ids) this.#relabel(id, add, remove);
    } finally {
      // An unknown id ends the call with a 404, after the ids before it were changed: those are kept.
      this.#changed();
    }
  }

  #relabel(id: string, add: readonly string[], remove: readonly string[]): void {
    const slot = this.slotOf(id);
    const before = this.view(slot).labelIds;
    const added = add.filter((label) => !before.includes(label));
    const removed = remove.filter((label) => before.includes(label));
    const after = [...before.filter((label) => !removed.includes(label)), ...added];
    this.#labels.set(slot, after);
    const ref = { id, threadId: this.threadIdOf(slot), labelIds: after };
    if (added.length) {
      this.#historyId++;
      this.#record('labelAdded', ref, added);
    }
    if (removed.length) {
      this.#historyId++;
      this.#record('labelRemoved', ref, removed);
    }
  }

  /**
   * Google keeps history for about a week, sometimes hours: after this, every historyId issued so far is too
   * old (404). A fresh id is issued, so a client that re-syncs from getProfile can go on.
   */
  expireHistory(): void {
    this.#retainedFrom = ++this.#historyId;
    this.#history = [];
    this.#changed();
  }

  /** Records after `startHistoryId`, or undefined when that id is older than the retained history. */
  historySince(startHistoryId: number): HistoryRecord[] | undefined {
    if (startHistoryId < this.#retainedFrom) return undefined;
    return this.#history.filter((record) => record.id > startHistoryId);
  }

  /** The run-time changes, or undefined when there are none (the mailbox is exactly its seed's). */
  exportChanges(): MailboxChanges | undefined {
    const initial = this.size > 0 ? this.historyIdOf(0) : this.baseHistoryId;
    if (this.#historyId === initial && this.#labels.size === 0) return undefined;
    return {
      delivered: this.#delivered.map((entry) => ({ ...entry })),
      deleted: [...this.#deleted],
      labels: [...this.#labels],
      history: this.#history,
      historyId: this.#historyId,
      retainedFrom: this.#retainedFrom,
    };
  }

  /** Puts saved changes back on a fresh mailbox of the same (seed, size, anchor). */
  restoreChanges(changes: MailboxChanges): void {
    for (const entry of changes.delivered) {
      this.#deliveredById.set(entry.id, this.#delivered.length);
      this.#delivered.push({ ...entry });
    }
    for (const slot of changes.deleted) this.#deleted.add(slot);
    for (const [slot, labelIds] of changes.labels) this.#labels.set(slot, [...labelIds]);
    this.#history = [...changes.history];
    this.#historyId = changes.historyId;
    this.#retainedFrom = changes.retainedFrom;
    this.#version++;
  }

  #changed(): void {
    this.#version++;
    this.#onChange();
  }

  #record(type: HistoryType, message: MessageRef, labelIds?: string[]): void {
    this.#history.push({ id: this.#historyId, type, message, ...(labelIds ? { labelIds } : {}) });
  }
}
