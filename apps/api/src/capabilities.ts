import fp from 'fastify-plugin';
import type { TokenCipher } from './accounts/index.ts';
import { authRoutes, meRoutes } from './auth/index.ts';
import { calendarRoutes } from './calendar/index.ts';
import { emailRoutes } from './emails/index.ts';
import { AccountClients } from './google/account-clients.ts';
import type { GoogleSettings } from './google/google-settings.ts';
import { DatabaseStatus } from './health/database-status.ts';
import { healthRoutes } from './health/health-routes.ts';
import { InteractiveGate } from './ingestion/interactive-gate.ts';
import { onboardMailbox } from './ingestion/onboarding-service.ts';
import { accountsProgress, mailboxProgress } from './ingestion/progress.ts';
import { Metrics, opsRoutes } from './ops/index.ts';
import { GmailMailProvider, type MailProviders } from './providers/index.ts';
import { type EventBus, realtimeRoutes } from './realtime/index.ts';
import { webRoutes } from './web/web-routes.ts';

/**
 * The app's capabilities as Fastify plugins. Each is `fastify-plugin`-wrapped (its decorations and hooks are the
 * app's) and names the plugins it needs: registering one before what it depends on fails at boot, not at the
 * first request. What they share is decorated on the instance by `platform` and `background`.
 */

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
    platform: Platform;
  }
}

/** What several capabilities share: the event bus, how to reach Google, and the per-account clients. */
export interface Platform {
  bus: EventBus;
  google: GoogleSettings;
  tokenCipher: TokenCipher;
  clients: AccountClients;
  /** Sign-ins in progress, which background work yields to. */
  interactive: InteractiveGate;
  /** Mail adapters by `accounts.provider`: the sign-in's first page and the backfill use the same port. */
  mail: MailProviders;
}

/** How long one background step waits for sign-ins in progress before going ahead anyway. */
const INTERACTIVE_MAX_WAIT_MS = 5_000;

export const platformCapability = fp<Pick<Platform, 'bus' | 'google' | 'tokenCipher'>>(
  async (app, options) => {
    const metrics = new Metrics(app.db);
    app.decorate('metrics', metrics);
    const clients = new AccountClients(app.db, options.google, options.tokenCipher);
    app.decorate('platform', {
      bus: options.bus,
      google: options.google,
      tokenCipher: options.tokenCipher,
      clients,
      interactive: new InteractiveGate(INTERACTIVE_MAX_WAIT_MS),
      // The ingestion core and the calendar core know only their ports; these are the adapters.
      mail: { google: new GmailMailProvider({ clients, google: options.google, metrics }) },
    });
  },
  { name: 'platform' },
);

/** A first page that fails twice is left to the backfill (which fetches every message the page did not). */
const FIRST_PAGE_ATTEMPTS = 2;

export const healthCapability = fp(async (app) => app.register(healthRoutes), {
  name: 'health',
  dependencies: ['platform'],
});

export const authCapability = fp(
  async (app) => {
    const { platform, background, config } = app;
    const onboarding = {
      db: app.db,
      bus: platform.bus,
      backfill: background.backfill,
      pageSize: config.firstPage.size,
      mail: platform.mail,
      quota: app.quota,
      maxAttempts: FIRST_PAGE_ATTEMPTS,
    };
    await app.register(authRoutes, {
      cipher: platform.tokenCipher,
      settings: platform.google,
      firstPageBudgetMs: config.firstPage.budgetMs,
      interactive: platform.interactive,
      onboard: (input) => onboardMailbox(onboarding, { ...input, provider: 'google' }),
      ...(background.onSignedIn ? { onSignedIn: background.onSignedIn } : {}),
    });
  },
  { name: 'auth', dependencies: ['platform', 'background', 'session', 'quota'] },
);

/** Each account's mailbox progress, as `/api/me` and the WebSocket snapshot show it. */
const progressOf = (app: { db: Parameters<typeof mailboxProgress>[0] }) => ({
  mailbox: (userId: string) => mailboxProgress(app.db, userId),
  accounts: (userId: string) => accountsProgress(app.db, userId),
});

export const meCapability = fp(
  async (app) => app.register(meRoutes, { opsAccess: app.config.ops, progress: progressOf(app) }),
  { name: 'me', dependencies: ['session'] },
);

export const emailsCapability = fp(async (app) => app.register(emailRoutes), {
  name: 'emails',
  dependencies: ['session'],
});

export const calendarCapability = fp(
  async (app) => app.register(calendarRoutes, { enqueue: app.background.enqueueWriteback }),
  { name: 'calendar', dependencies: ['session', 'background'] },
);

export const opsCapability = fp(
  async (app) =>
    app.register(opsRoutes, { metrics: app.metrics, access: app.config.ops, quota: app.config.quota }),
  { name: 'ops', dependencies: ['platform', 'session'] },
);

export const realtimeCapability = fp<{ heartbeatMs?: number | undefined }>(
  async (app, options) => {
    // Watches the database so open pages are told, honestly, when work pauses for an outage and resumes.
    const database = new DatabaseStatus(app.db, { log: app.log });
    app.addHook('onReady', async () => database.start());
    app.addHook('onClose', async () => database.stop());
    await app.register(realtimeRoutes, {
      bus: app.platform.bus,
      database,
      limits: app.config.realtime,
      progress: async (userId) => {
        const progress = progressOf(app);
        const [ingestion, accounts] = await Promise.all([
          progress.mailbox(userId),
          progress.accounts(userId),
        ]);
        return { ingestion, accounts };
      },
      ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    });
  },
  { name: 'realtime', dependencies: ['platform', 'session'] },
);

export const webCapability = fp(
  async (app) =>
    app.register(webRoutes, {
      distDir: app.config.webDistDir,
      serveSourceMaps: app.config.security.serveSourceMaps,
    }),
  { name: 'web' },
);
