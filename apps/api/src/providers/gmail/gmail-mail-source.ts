import type { AccountClients, GoogleSettings } from '../../google/index.ts';
import { classifyGoogleError, isOAuthClient } from '../../google/index.ts';
import type { Metrics } from '../../ops/index.ts';
import type { MailAccount, MailChanges, MailProvider, MailSource, OpenOptions } from '../mail-source.ts';
import { firstPageOf } from './first-page.ts';
import { fetchMessages, MAX_PARTS_PER_REQUEST } from './message-fetch.ts';
import { GMAIL_COST, PacedGmail } from './paced-gmail.ts';
import { changesOf } from './sync-history.ts';

/** Gmail as a mail source: the paced client over the account's Google grant. */
export class GmailMailProvider implements MailProvider {
  readonly failureSource = 'gmail' as const;
  readonly maxFetch = MAX_PARTS_PER_REQUEST;
  readonly unitsPerMessage = GMAIL_COST['messages.get'];

  constructor(private readonly deps: { clients: AccountClients; google: GoogleSettings; metrics: Metrics }) {}

  async open(account: MailAccount, options: OpenOptions): Promise<MailSource> {
    // A sign-in's fresh grant when given; else the stored refresh token.
    const client = isOAuthClient(options.grant)
      ? options.grant
      : (await this.deps.clients.forAccount(account.accountId)).client;
    const gmail = new PacedGmail(client, this.deps.google, options.pacing, this.deps.metrics, {
      maxAttempts: options.maxAttempts,
      signal: options.signal,
    });
    return gmailSource(gmail, account);
  }

  forget(accountId: string): void {
    this.deps.clients.forget(accountId);
  }
}

function gmailSource(gmail: PacedGmail, account: MailAccount): MailSource {
  return {
    async profile() {
      const profile = await gmail.profile();
      return {
        address: profile.emailAddress ?? null,
        totalEstimate: profile.messagesTotal ?? null,
        cursor: profile.historyId ?? null,
      };
    },
    async listPage(pageToken, pageSize) {
      const page = await gmail.listPage(pageToken, pageSize);
      const ids = (page.messages ?? []).flatMap((message) => (message.id ? [message.id] : []));
      return { ids, nextPageToken: page.nextPageToken ?? null };
    },
    fetchMany: (ids) => fetchMessages(gmail, account, ids),
    firstPage: (pageSize) => firstPageOf(gmail, account, pageSize),
    async changesSince(cursor, pageToken): Promise<MailChanges> {
      try {
        const page = await gmail.history(cursor, pageToken);
        const changes = changesOf(page.history ?? []);
        return {
          kind: 'page',
          added: changes.added,
          removed: changes.deleted,
          nextPageToken: page.nextPageToken ?? null,
          cursor: page.historyId ?? null,
        };
      } catch (error) {
        // history.list answered 404: the cursor is older than the history Gmail keeps (GOOGLE-FACTS, Sync).
        if (classifyGoogleError(error).kind === 'not_found') return { kind: 'expired' };
        throw error;
      }
    },
  };
}
