import type {
  FetchedMail,
  MailAccount,
  MailChanges,
  MailProvider,
  MailSource,
  OpenOptions,
} from '../../../src/providers/index.ts';

/**
 * A third mail provider, for tests only: an in-memory mailbox behind the mail source port. Everything a
 * provider needs is in this folder — a newcomer adding one (Microsoft Graph, IMAP) writes this much, registers
 * it by `accounts.provider`, and the lister, batches and incremental sync work unchanged.
 */

interface StoredMessage {
  id: string;
  date: Date;
  subject: string;
}

/** A change log entry: the cursor after it, and what it did. */
interface Change {
  cursor: number;
  added?: string;
  removed?: string;
}

export class InMemoryMailbox {
  readonly #messages = new Map<string, StoredMessage>();
  readonly #changes: Change[] = [];
  #cursor = 1;
  #next = 0;
  /** Changes older than this are forgotten: `changesSince` an older cursor answers `expired`. */
  #oldestKnown = 1;

  constructor(count: number) {
    this.deliver(count);
    this.#changes.length = 0;
    this.#oldestKnown = this.#cursor;
  }

  /** New messages, each newer than the last. */
  deliver(count: number): string[] {
    return Array.from({ length: count }, () => {
      const n = this.#next++;
      const id = `m${String(n).padStart(6, '0')}`;
      this.#messages.set(id, {
        id,
        date: new Date(Date.UTC(2024, 0, 1) + n * 60_000),
        subject: `Message ${n}`,
      });
      this.#changes.push({ cursor: ++this.#cursor, added: id });
      return id;
    });
  }

  remove(id: string): void {
    this.#messages.delete(id);
    this.#changes.push({ cursor: ++this.#cursor, removed: id });
  }

  /** Newest first, as providers list. */
  ids(): string[] {
    return [...this.#messages.values()].sort((a, b) => b.date.getTime() - a.date.getTime()).map((m) => m.id);
  }

  get cursor(): string {
    return String(this.#cursor);
  }

  profile() {
    return { address: 'inbox@in-memory.test', totalEstimate: this.#messages.size, cursor: this.cursor };
  }

  page(pageToken: string | null, pageSize: number) {
    const from = pageToken ? Number(pageToken) : 0;
    const ids = this.ids().slice(from, from + pageSize);
    return { ids, nextPageToken: from + pageSize < this.#messages.size ? String(from + pageSize) : null };
  }

  fetch(account: MailAccount, ids: string[]): FetchedMail {
    const fetched: FetchedMail = { emails: [], outOfView: [], gone: [], failures: [] };
    for (const id of ids) {
      const message = this.#messages.get(id);
      if (!message) {
        fetched.gone.push(id);
        continue;
      }
      fetched.emails.push({
        user_id: account.userId,
        account_id: account.accountId,
        message_id: id,
        thread_id: id,
        internal_date: message.date,
        from_addr: 'sender@in-memory.test',
        to_addr: 'inbox@in-memory.test',
        subject: message.subject,
        snippet: null,
        label_ids: ['INBOX'],
        size_estimate: 100,
        parse_error: null,
      });
    }
    return fetched;
  }

  changesSince(cursor: string): MailChanges {
    if (Number(cursor) < this.#oldestKnown) return { kind: 'expired' };
    const after = this.#changes.filter((change) => change.cursor > Number(cursor));
    return {
      kind: 'page',
      added: after.flatMap((change) =>
        change.added && this.#messages.has(change.added) ? [change.added] : [],
      ),
      removed: after.flatMap((change) => (change.removed ? [change.removed] : [])),
      nextPageToken: null,
      cursor: this.cursor,
    };
  }
}

/** The adapter: every call goes through the core's pacing, as a real provider's would. */
export class InMemoryMailProvider implements MailProvider {
  readonly failureSource = 'gmail' as const;
  readonly maxFetch = 50;
  readonly unitsPerMessage = 1;
  /** Calls made through the core's pacing. */
  pacedCalls = 0;
  /** The credentials the last `open` was given (a sign-in's grant), if any. */
  lastGrant: unknown;

  constructor(readonly mailbox: InMemoryMailbox) {}

  async open(account: MailAccount, options: OpenOptions): Promise<MailSource> {
    this.lastGrant = options.grant;
    const paced = <T>(units: number, call: () => T) =>
      options.pacing.run(
        units,
        async () => {
          this.pacedCalls++;
          return call();
        },
        options.signal,
      );
    return {
      profile: () => paced(1, () => this.mailbox.profile()),
      listPage: (pageToken, pageSize) => paced(1, () => this.mailbox.page(pageToken, pageSize)),
      fetchMany: (ids) => paced(ids.length, () => this.mailbox.fetch(account, ids)),
      changesSince: (cursor) => paced(1, () => this.mailbox.changesSince(cursor)),
      firstPage: async (pageSize) => {
        const { ids } = await paced(1, () => this.mailbox.page(null, pageSize));
        const fetched = await paced(ids.length, () => this.mailbox.fetch(account, ids));
        const { totalEstimate, cursor } = this.mailbox.profile();
        return { listedIds: ids, fetched, totalEstimate, cursor };
      },
    };
  }

  forget(): void {}
}
