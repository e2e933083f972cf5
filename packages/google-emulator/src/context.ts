import { randomBytes } from 'node:crypto';
import { type AccountSet, expandAccountSet } from './account-sets.ts';
import { AccountDirectory } from './accounts.ts';
import { Counters } from './guard/counters.ts';
import { FaultBook } from './guard/faults.ts';
import { QuotaLedger } from './guard/quota-ledger.ts';
import { SigningKey } from './oauth/signing-key.ts';
import { TokenStore } from './oauth/token-store.ts';
import type { AccountSpec, ResolvedOptions } from './options.ts';
import type { StateKeeper } from './state/state-keeper.ts';

export interface SavedParts {
  /** The id_token key of a previous run (a state dir). */
  signingKeyPem?: string;
  /** Saves run-time changes (a state dir); every store tells it when something changed. */
  keeper?: StateKeeper;
}

/** The state one emulator instance holds; routes and hooks receive it instead of reaching for globals. */
export class EmulatorContext {
  readonly accounts: AccountDirectory;
  readonly tokens: TokenStore;
  readonly key: SigningKey;
  readonly counters = new Counters();
  readonly faults: FaultBook;
  readonly quota: QuotaLedger;
  /** Marks in-process batch parts (see BATCH_PART_HEADER); unguessable so clients cannot claim it. */
  readonly batchPartToken = randomBytes(18).toString('base64url');
  readonly anchor: number;
  readonly calendars: 'generated' | 'empty';
  readonly names = new Map<string, string>();
  /** Accounts whose address is not verified (`email_verified: false` in the id_token and userinfo). */
  readonly unverified = new Set<string>();
  /** Accounts added after start (admin API): a state dir keeps them. */
  readonly addedAccounts: AccountSpec[] = [];
  readonly keeper: StateKeeper | undefined;
  #started = false;

  constructor(
    readonly options: ResolvedOptions,
    saved: SavedParts = {},
  ) {
    this.keeper = saved.keeper;
    this.key = new SigningKey(saved.signingKeyPem);
    this.accounts = new AccountDirectory(options.seed);
    for (const spec of options.accounts)
      this.addAccount(spec.email, spec.mailboxSize, spec.name, spec.emailVerified);
    this.#started = true;
    this.tokens = new TokenStore(() => this.options.accessTokenTtlSeconds * 1000, Date.now, this.changed);
    this.faults = new FaultBook(options.faults);
    this.quota = new QuotaLedger(options.quota);
    this.anchor = options.anchor ?? startOfUtcDay(Date.now());
    this.calendars = options.calendars;
  }

  /** Something worth keeping across a restart changed (a no-op without a state dir). */
  readonly changed = (): void => this.keeper?.markDirty();

  addAccount(email: string, mailboxSize: number, name?: string, emailVerified = true) {
    const known = this.accounts.get(email);
    const account = this.accounts.add(email, mailboxSize);
    this.names.set(account.email, name ?? displayNameOf(account.email));
    if (!emailVerified) this.unverified.add(account.email);
    if (this.#started && !known) {
      this.addedAccounts.push({
        email: account.email,
        mailboxSize,
        ...(name ? { name } : {}),
        ...(emailVerified ? {} : { emailVerified }),
      });
      this.changed();
    }
    return account;
  }

  /** Adds a whole set (admin API); addresses already served are skipped. Their mailboxes are made on first use. */
  addAccountSet(set: AccountSet): { added: number; messages: number } {
    let added = 0;
    let messages = 0;
    for (const spec of expandAccountSet(set, this.options.seed)) {
      if (this.accounts.get(spec.email)) continue;
      this.addAccount(spec.email, spec.mailboxSize);
      added++;
      messages += spec.mailboxSize;
    }
    return { added, messages };
  }

  nameOf(email: string): string {
    return this.names.get(email) ?? displayNameOf(email);
  }
}

const startOfUtcDay = (ms: number) => ms - (ms % 86_400_000);

/** "ada.lovelace@example.com" → "Ada Lovelace". */
function displayNameOf(email: string): string {
  const local = email.split('@')[0] ?? email;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join(' ');
}
