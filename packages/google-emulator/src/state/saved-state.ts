import { z } from 'zod';
import type { CalendarChanges, StoredEvent } from '../calendar/store.ts';
import type { MailboxChanges } from '../gmail/mailbox.ts';
import type { TokenStoreState } from '../oauth/token-store.ts';
import type { ResolvedOptions } from '../options.ts';

/**
 * The state file's shape (version 1). Generated data is a pure function of (seed, accounts, anchor), so only
 * what changed at run time is saved — grants, mailbox overlays, calendar writes — plus the identity it was
 * saved for: state of another identity is never mixed into a fresh emulator.
 */

export const STATE_FORMAT = 'firstlight-google-emulator/state';
export const STATE_VERSION = 1;

const Identity = z.object({
  seed: z.number().int(),
  accounts: z.array(z.object({ email: z.string(), mailboxSize: z.number().int() })),
});
export type Identity = z.infer<typeof Identity>;

const Scopes = z.array(z.string());
const TokenState = z.object({
  refresh: z.array(
    z.tuple([
      z.string(),
      z.object({ email: z.string(), clientId: z.string(), scopes: Scopes, revoked: z.boolean() }),
    ]),
  ),
  access: z.array(
    z.tuple([
      z.string(),
      z.object({
        email: z.string(),
        clientId: z.string(),
        scopes: Scopes,
        expiresAt: z.number(),
        refreshTokenHash: z.string().optional(),
      }),
    ]),
  ),
}) satisfies z.ZodType<TokenStoreState>;

const MessageRef = z.object({ id: z.string(), threadId: z.string(), labelIds: z.array(z.string()) });
const MailboxState = z.object({
  delivered: z.array(z.object({ internalDate: z.number(), historyId: z.number(), id: z.string() })),
  deleted: z.array(z.number().int()),
  labels: z.array(z.tuple([z.number().int(), z.array(z.string())])),
  history: z.array(
    z.object({
      id: z.number(),
      type: z.enum(['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved']),
      message: MessageRef,
      labelIds: z.array(z.string()).optional(),
    }),
  ),
  historyId: z.number().int(),
  retainedFrom: z.number().int(),
}) satisfies z.ZodType<MailboxChanges>;

// An event is Google's JSON as the emulator wrote it: checked for what restoring relies on, kept whole.
const Stored = z.custom<StoredEvent>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StoredEvent).changeSeq === 'number' &&
    typeof (value as StoredEvent).order === 'number' &&
    typeof (value as StoredEvent).event?.id === 'string',
  'not a stored event',
);
const CalendarState = z.object({
  changeSeq: z.number().int(),
  tokenGeneration: z.number().int(),
  nextOrder: z.number().int(),
  events: z.array(z.object({ calendarId: z.string(), stored: Stored })),
}) satisfies z.ZodType<CalendarChanges>;

export const SavedState = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  identity: Identity,
  /** The data's "now" it was generated for: kept, so a restart on another day serves the same mailboxes. */
  anchor: z.number().int(),
  savedAt: z.string(),
  /** PKCS#8 PEM of the id_token signing key (see oauth/signing-key.ts for why it is kept). */
  signingKeyPem: z.string().min(1),
  /** Accounts added at run time (admin API), re-added before their changes are restored. */
  addedAccounts: z.array(
    z.object({
      email: z.string(),
      mailboxSize: z.number().int(),
      name: z.string().optional(),
      emailVerified: z.boolean().optional(),
    }),
  ),
  tokens: TokenState,
  gmail: z.record(z.string(), MailboxState),
  calendar: z.record(z.string(), CalendarState),
});
export type SavedState = z.infer<typeof SavedState>;

/** What the generated data depends on, besides the anchor: the seed and the configured accounts. */
export function identityOf(options: Pick<ResolvedOptions, 'seed' | 'accounts'>): Identity {
  return {
    seed: options.seed,
    accounts: options.accounts
      .map((account) => ({ email: account.email.toLowerCase(), mailboxSize: account.mailboxSize }))
      .sort((a, b) => a.email.localeCompare(b.email)),
  };
}

export function describeIdentity(identity: Identity): string {
  const accounts = identity.accounts.map((account) => `${account.email}:${account.mailboxSize}`).join(',');
  return `seed ${identity.seed}, accounts ${accounts}`;
}

export const sameIdentity = (a: Identity, b: Identity) => describeIdentity(a) === describeIdentity(b);
