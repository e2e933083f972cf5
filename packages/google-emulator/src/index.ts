/**
 * A local Google for Firstlight: OAuth 2.0 / OpenID Connect, Gmail v1 and Calendar v3 at Google's paths, with
 * Google's quotas, latencies and faults. The real `googleapis` / `google-auth-library` clients talk to it by
 * changing only `rootUrl` and the OAuth endpoints.
 */
import type { FastifyInstance } from 'fastify';
import { AccountSet, type AccountSetInput } from './account-sets.ts';
import { ALL_SCOPES, applyFaults, type FaultsUpdate, type QuotaUpdate } from './admin/routes.ts';
import { type CalendarService, calendarServiceFor } from './calendar/index.ts';
import { EmulatorContext } from './context.ts';
import { type GmailService, gmailServiceFor } from './gmail/index.ts';
import type { CountersSnapshot } from './guard/counters.ts';
import type { UsageQuery, UsageWindow } from './guard/usage-history.ts';
import { type EmulatorOptions, parseOptions, QuotaSettings } from './options.ts';
import { buildServer } from './server.ts';
import { identityOf, type SavedState, STATE_FORMAT, STATE_VERSION } from './state/saved-state.ts';
import { loadState } from './state/state-file.ts';
import { StateKeeper } from './state/state-keeper.ts';

export type { AccountSetInput } from './account-sets.ts';
export type { FaultsUpdate, QuotaUpdate } from './admin/routes.ts';
export type { ApiWindow, UsageQuery, UsageWindow } from './guard/usage-history.ts';
export { DEFAULT_CLIENT, type EmulatorOptions, type FaultPatch, type QuotaSettings } from './options.ts';
export type { EmulatorAccount } from './types.ts';

export interface EmulatorAdmin {
  /** An access token for the account with every scope (or those given), as if it had signed in. */
  issueAccessToken(email: string, scopes?: string[]): Promise<string>;
  /** Refresh tokens issued to the account (live or revoked): lets a test check they are never stored in clear. */
  refreshTokensOf(email: string): Promise<string[]>;
  /** Every refresh token of the account now answers `invalid_grant` (the user revoked access). */
  revokeAccount(email: string): Promise<number>;
  expireAccessTokens(email: string): Promise<number>;
  /** `emailVerified: false` mints an account whose address Google has not verified. */
  addAccount(
    email: string,
    mailboxSize: number,
    name?: string,
    options?: { emailVerified?: boolean },
  ): Promise<void>;
  /** Many accounts at once (account-sets.ts); answers how many were new and their messages in total. */
  addAccountSet(set: AccountSetInput): { added: number; messages: number };
  stats(): CountersSnapshot & { quota: QuotaSettings };
  /** Per-window project and per-user usage (GET /admin/quota/usage's `windows`). */
  quotaUsage(query?: UsageQuery): UsageWindow[];
  resetStats(): void;
  setFaults(update: FaultsUpdate): void;
  clearFaults(): void;
  setQuota(update: QuotaUpdate): void;
  gmail: GmailService;
  calendar: CalendarService;
}

export interface EmulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:8085 (no trailing slash). */
  url: string;
  port: number;
  app: FastifyInstance;
  admin: EmulatorAdmin;
  close(): Promise<void>;
}

export async function startEmulator(input: EmulatorOptions = {}): Promise<EmulatorHandle> {
  const options = parseOptions({ port: 0, ...input });
  const warn = options.warn ?? ((message: string) => console.warn(`google-emulator: ${message}`));
  const saved = options.stateDir ? loadState(options.stateDir, options, warn) : undefined;
  const keeper = options.stateDir ? new StateKeeper(options.stateDir, warn) : undefined;
  const context = new EmulatorContext(
    // Without an explicit anchor, a restart keeps the saved one: the same mailboxes on another day.
    { ...options, anchor: options.anchor ?? saved?.anchor },
    { signingKeyPem: saved?.signingKeyPem, keeper },
  );
  for (const spec of saved?.addedAccounts ?? [])
    context.addAccount(spec.email, spec.mailboxSize, spec.name, spec.emailVerified);
  const app = await buildServer(context);
  const gmail = gmailServiceFor(context.accounts);
  const calendar = calendarServiceFor(context.accounts);
  if (!gmail || !calendar)
    throw new Error('google-emulator: the Gmail and Calendar plugins did not register');
  if (saved) {
    context.tokens.restoreState(saved.tokens);
    gmail.restoreState(saved.gmail);
    calendar.restoreState(saved.calendar);
  }
  if (keeper) {
    const identity = identityOf(options);
    const signingKeyPem = context.key.exportPrivatePem();
    keeper.attach(
      (): SavedState => ({
        format: STATE_FORMAT,
        version: STATE_VERSION,
        identity,
        anchor: context.anchor,
        savedAt: new Date().toISOString(),
        signingKeyPem,
        addedAccounts: context.addedAccounts,
        tokens: context.tokens.exportState(),
        gmail: gmail.exportState(),
        calendar: calendar.exportState(),
      }),
    );
  }
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;

  const admin = emulatorAdmin(context, options.clients[0]!.clientId, gmail, calendar);

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    app,
    admin,
    close: async () => {
      await app.close();
      // After the last request: whatever it changed is saved (and nothing later is).
      keeper?.close();
    },
  };
}

/** The test hooks of a running emulator (tokens, accounts, stats, faults, quota), over its context. */
function emulatorAdmin(
  context: EmulatorContext,
  /** Access tokens `issueAccessToken` mints are this client's (the first configured). */
  clientId: string,
  gmail: NonNullable<ReturnType<typeof gmailServiceFor>>,
  calendar: NonNullable<ReturnType<typeof calendarServiceFor>>,
): EmulatorAdmin {
  return {
    issueAccessToken: async (email, scopes = ALL_SCOPES) => {
      const account = context.accounts.get(email);
      if (!account) throw new Error(`google-emulator: no account ${email}`);
      return context.tokens.issueAccessToken({ email: account.email, clientId, scopes }).token;
    },
    refreshTokensOf: async (email) => context.tokens.refreshTokensOf(email.toLowerCase()),
    revokeAccount: async (email) => context.tokens.revokeAccount(email.toLowerCase()),
    expireAccessTokens: async (email) => context.tokens.expireAccessTokens(email.toLowerCase()),
    addAccount: async (email, mailboxSize, name, accountOptions) => {
      context.addAccount(email, mailboxSize, name, accountOptions?.emailVerified);
    },
    addAccountSet: (set) => context.addAccountSet(AccountSet.parse(set)),
    stats: () => ({ ...context.counters.snapshot(), quota: context.quota.settings }),
    quotaUsage: (query) => context.quota.history.windows(query),
    resetStats: () => {
      context.counters.reset();
      context.quota.reset();
    },
    setFaults: (update) => applyFaults(context, update),
    clearFaults: () => context.faults.clear(),
    setQuota: (update) =>
      context.quota.configure(QuotaSettings.parse({ ...context.quota.settings, ...update })),
    gmail,
    calendar,
  };
}
