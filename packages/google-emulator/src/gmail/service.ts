/**
 * The Gmail emulation for all accounts of one emulator. Mailboxes are created on first use from the
 * account's seed and kept; every method takes plain values and throws GmailError for Google-shaped failures.
 */
import type { EmulatorAccount } from '../types.ts';
import { delegationDenied, invalidArgument, notFound } from './errors.ts';
import { presentRecord } from './history.ts';
import { decodeToken, encodeToken } from './ids.ts';
import { systemLabels } from './labels.ts';
import { listMessages } from './list.ts';
import { Mailbox, type MailboxChanges } from './mailbox.ts';
import { historyListQuery, messagesGetQuery, messagesListQuery, parseQuery, parseSearch } from './query.ts';
import { type ApiMessage, attachmentBytes, parseAttachmentId, partById, present } from './render.ts';
import { RenderCache } from './render-cache.ts';

/** Structural view of the core's AccountDirectory (src/accounts.ts). */
export interface GmailAccountDirectory {
  get(email: string): EmulatorAccount | undefined;
  list(): EmulatorAccount[];
}

export interface GmailServiceOptions {
  accounts: GmailAccountDirectory;
  /** Epoch ms generated mail ends just before (default: now, rounded down to the minute, at construction). */
  anchor?: number;
  /** How far back generated mail reaches (default about six years). */
  spanMs?: number;
  /** Clock for delivered mail (default Date.now). */
  now?: () => number;
  /** Called after every run-time change to any mailbox (the state dir saves them). */
  onChange?: () => void;
}

type Query = Record<string, unknown>;

export class GmailService {
  readonly anchor: number;
  readonly #mailboxes = new Map<string, Mailbox>();
  /** Rendered messages.get answers (render-cache.ts). */
  readonly renderCache = new RenderCache();

  constructor(private readonly options: GmailServiceOptions) {
    this.anchor = options.anchor ?? Math.floor(Date.now() / 60_000) * 60_000;
  }

  /** The account's mailbox, generated on first use. */
  mailbox(who: EmulatorAccount | string): Mailbox {
    const email = (typeof who === 'string' ? who : who.email).toLowerCase();
    let mailbox = this.#mailboxes.get(email);
    if (!mailbox) {
      const account = this.options.accounts.get(email) ?? (typeof who === 'string' ? undefined : who);
      if (!account) throw notFound();
      mailbox = new Mailbox({
        seed: account.seed,
        size: account.mailboxSize,
        owner: account.email,
        anchor: this.anchor,
        spanMs: this.options.spanMs,
        now: this.options.now,
        onChange: this.options.onChange,
      });
      this.#mailboxes.set(email, mailbox);
    }
    return mailbox;
  }

  /** `userId` is `me` or the account's own address; Gmail refuses anyone else's mailbox. */
  checkUser(account: EmulatorAccount, userId: string): void {
    if (userId !== 'me' && userId.toLowerCase() !== account.email.toLowerCase())
      throw delegationDenied(userId);
  }

  profile(who: EmulatorAccount | string) {
    const mailbox = this.mailbox(who);
    return {
      emailAddress: mailbox.owner,
      messagesTotal: mailbox.messagesTotal(),
      threadsTotal: mailbox.threadsTotal(),
      historyId: String(mailbox.historyId),
    };
  }

  list(who: EmulatorAccount | string, rawQuery: Query = {}) {
    const query = parseQuery(messagesListQuery, rawQuery);
    const mailbox = this.mailbox(who);
    const filter = parseSearch(query.q, {
      labelIds: query.labelIds ?? [],
      includeSpamTrash: query.includeSpamTrash,
    });
    let from: number | undefined;
    if (query.pageToken !== undefined) {
      from = decodeToken('list', mailbox.seed, query.pageToken);
      if (from === undefined) throw invalidArgument('Invalid pageToken');
    }
    const page = listMessages(mailbox, filter, query.maxResults, from);
    // Google leaves `messages` out entirely when nothing matches.
    return {
      ...(page.messages.length ? { messages: page.messages } : {}),
      ...(page.next === undefined ? {} : { nextPageToken: encodeToken('list', mailbox.seed, page.next) }),
      resultSizeEstimate: page.resultSizeEstimate,
    };
  }

  /**
   * `list` as the JSON text the API sends, from the render cache when the same page (same query and token)
   * was listed since the mailbox last changed (a retried page, several instances listing one user).
   */
  listJson(who: EmulatorAccount | string, rawQuery: Query = {}): string {
    const mailbox = this.mailbox(who);
    const key = `${mailbox.owner}\nlist\n${JSON.stringify(rawQuery)}`;
    return this.renderCache.get(key, mailbox.version, () => JSON.stringify(this.list(who, rawQuery)));
  }

  get(who: EmulatorAccount | string, id: string, rawQuery: Query = {}): ApiMessage {
    const query = parseQuery(messagesGetQuery, rawQuery);
    const mailbox = this.mailbox(who);
    const slot = mailbox.slotOf(id);
    return present(mailbox.facts(slot), mailbox.content(slot), query.format, query.metadataHeaders);
  }

  /**
   * `get` as the JSON text the API sends; `minimal` and `metadata` from the render cache when the same message
   * was rendered with the same headers since its mailbox last changed. Errors (404, 400) are thrown as by `get`.
   */
  getJson(who: EmulatorAccount | string, id: string, rawQuery: Query = {}): string {
    const query = parseQuery(messagesGetQuery, rawQuery);
    const mailbox = this.mailbox(who);
    const slot = mailbox.slotOf(id);
    const render = () =>
      JSON.stringify(
        present(mailbox.facts(slot), mailbox.content(slot), query.format, query.metadataHeaders),
      );
    // `full` and `raw` carry bodies (up to megabytes): rendered each time rather than crowding the cache.
    if (query.format === 'full' || query.format === 'raw') return render();
    const key = `${mailbox.owner}\n${id}\n${query.format}\n${query.metadataHeaders.join('\n')}`;
    return this.renderCache.get(key, mailbox.version, render);
  }

  /** users.messages.attachments.get: bytes capped like `raw` (see render.ts). */
  attachment(who: EmulatorAccount | string, messageId: string, attachmentId: string) {
    const ref = parseAttachmentId(attachmentId);
    if (!ref || ref.messageId !== messageId) throw notFound();
    const mailbox = this.mailbox(who);
    const part = partById(mailbox.content(mailbox.slotOf(messageId)).root, ref.partId);
    if (!part?.attachment) throw notFound();
    return { attachmentId, size: part.attachment.size, data: attachmentBytes(part).toString('base64url') };
  }

  history(who: EmulatorAccount | string, rawQuery: Query = {}) {
    const query = parseQuery(historyListQuery, rawQuery);
    const mailbox = this.mailbox(who);
    let after = query.startHistoryId;
    if (query.pageToken !== undefined) {
      const position = decodeToken('history', mailbox.seed, query.pageToken);
      if (position === undefined) throw invalidArgument('Invalid pageToken');
      after = Math.max(after, position);
    }
    // A start id older than what is kept answers 404: the client must do a full sync.
    const records = mailbox.historySince(query.startHistoryId);
    if (!records) throw notFound();
    const wanted = records.filter(
      (record) =>
        record.id > after &&
        (!query.historyTypes || query.historyTypes.includes(record.type)) &&
        (!query.labelId || record.message.labelIds.includes(query.labelId)),
    );
    const page = wanted.slice(0, query.maxResults);
    const more = wanted.length > page.length;
    return {
      ...(page.length ? { history: page.map(presentRecord) } : {}),
      ...(more ? { nextPageToken: encodeToken('history', mailbox.seed, page.at(-1)!.id) } : {}),
      historyId: String(mailbox.historyId),
    };
  }

  labels(who: EmulatorAccount | string) {
    this.mailbox(who);
    return { labels: systemLabels() };
  }

  // Admin: simulate what happens elsewhere — new mail, deletions on another device, history expiry.

  deliver(email: string, count: number) {
    return this.mailbox(email).deliver(count);
  }

  deleteMessages(email: string, ids: readonly string[]) {
    return this.mailbox(email).deleteMessages(ids);
  }

  modifyLabels(email: string, ids: readonly string[], add: readonly string[], remove: readonly string[]) {
    this.mailbox(email).modifyLabels(ids, add, remove);
  }

  expireHistory(email: string): void {
    this.mailbox(email).expireHistory();
  }

  /** Forgets one mailbox (or all): the next call regenerates it from the seed, without run-time changes. */
  reset(email?: string): void {
    if (email === undefined) this.#mailboxes.clear();
    else this.#mailboxes.delete(email.toLowerCase());
    // A regenerated mailbox starts again at version 0: what was cached for the old one must not be served.
    this.renderCache.clear();
    this.options.onChange?.();
  }

  /** Run-time changes of every mailbox that has some, by address (untouched mailboxes are their seed's). */
  exportState(): Record<string, MailboxChanges> {
    const state: Record<string, MailboxChanges> = {};
    for (const [email, mailbox] of this.#mailboxes) {
      const changes = mailbox.exportChanges();
      if (changes) state[email] = changes;
    }
    return state;
  }

  /** Saved changes back onto freshly generated mailboxes; addresses no longer served are skipped. */
  restoreState(state: Record<string, MailboxChanges>): void {
    for (const [email, changes] of Object.entries(state)) {
      if (this.options.accounts.get(email)) this.mailbox(email).restoreChanges(changes);
    }
  }
}
