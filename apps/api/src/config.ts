import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config/config-error.ts';
import { EnvSchema, type EnvVars } from './config/env-schema.ts';
import { EMULATOR_CLIENT, type GoogleConfig, googleConfig } from './config/google-config.ts';
import { type QuotaConfig, quotaConfig, type ResourceQuota } from './config/quota-config.ts';
import { type TasksConfig, tasksConfig } from './config/tasks-config.ts';
import { parseTrustProxy, type TrustProxy } from './security/index.ts';

/**
 * The one place that reads `process.env`. Every variable is documented in README.md § Configuration.
 * An empty value counts as unset, as docker-compose and shells often pass `VAR=`.
 */

export {
  ConfigError,
  EMULATOR_CLIENT,
  type GoogleConfig,
  type QuotaConfig,
  type ResourceQuota,
  type TasksConfig,
};

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export interface Config {
  port: number;
  host: string;
  /** Absolute; the embedded PostgreSQL lives in `${dataDir}/pg`. */
  dataDir: string;
  /** Unset: start the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  logLevel: EnvVars['LOG_LEVEL'];
  /** The built SPA served at `/`. */
  webDistDir: string;
  /** Where browsers reach us; the OAuth redirect URI is derived from it. */
  publicUrl: string;
  google: GoogleConfig;
  firstPage: { size: number; budgetMs: number };
  /** Per-user pacing under Gmail's quota, and the backfill's watchdogs. */
  backfill: {
    quotaUnits: number;
    quotaWindowMs: number;
    quotaUtilisation: number;
    maxConcurrent: number;
    stallAfterMs: number;
    reconcileEveryMs: number;
    /**
     * Batch, lister and sync leases: how long one lasts, how often a working holder renews it (also how often
     * the lease sweep looks for expired leases and dead owners). A SIGKILLed worker costs about one lease.
     */
    leaseMs: number;
    leaseRenewEveryMs: number;
    syncEveryMs: number;
    calendarSyncEveryMs: number;
    /** Attempts of a calendar write-back before it is recorded as failed. */
    writebackAttempts: number;
  };
  /** Who may read `/api/ops/*` and `/metrics`: signed-in users with these emails, or `Authorization: Bearer <token>`. */
  ops: { emails: string[]; token: string | undefined };
  tasks: TasksConfig;
  /** The project-wide quota scheduler (apps/api/src/quota): Google's limits, the reserve, the daily budget. */
  quota: QuotaConfig;
  /** Per-instance limits of `/ws` (README § Routes and WebSocket messages says why these values). */
  realtime: {
    maxSocketsPerSession: number;
    maxSocketsPerIp: number;
    /** Snapshots of one socket start at least this far apart; resyncs in between are coalesced into one. */
    resyncMinIntervalMs: number;
    maxMessageBytes: number;
    /** A socket whose unsent data exceeds this (a client that stopped reading) is closed. */
    maxBufferedBytes: number;
  };
  /** Sessions end 30 days after sign-in, or after this long without a request; expired rows are pruned. */
  sessions: { idleTimeoutMs: number; pruneEveryMs: number };
  /** Unset: generated once into `${dataDir}/secrets.json` (embedded mode). */
  tokenEncryptionKey: Buffer | undefined;
  sessionSecret: string | undefined;
  /** Browser-facing guards (apps/api/src/security). */
  security: {
    trustProxy: TrustProxy;
    /** Requests per minute: per IP on the sign-in routes; per session (else per IP) everywhere else. */
    rateLimit: { signInPerMinute: number; perMinute: number };
    serveSourceMaps: boolean;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(env[name] ?? '')} ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const vars = parsed.data;
  if (vars.LEASE_RENEW_EVERY_MS >= vars.LEASE_MS) {
    throw new ConfigError(
      `invalid configuration: LEASE_RENEW_EVERY_MS=${vars.LEASE_RENEW_EVERY_MS} must be less than LEASE_MS=${vars.LEASE_MS} (a third of it is usual)`,
    );
  }
  // The default is the address `npm start` prints: the OAuth cookie set on one host name is not sent to another
  // (127.0.0.1 ≠ localhost), so the redirect URI must use the name the browser started on.
  const shownHost = vars.HOST === '0.0.0.0' || vars.HOST === '::' ? 'localhost' : vars.HOST;
  const publicUrl = (vars.PUBLIC_URL ?? `http://${shownHost}:${vars.PORT}`).replace(/\/$/, '');
  const google = googleConfig(vars, publicUrl);
  if (publicUrl.startsWith('https:')) refuseLocalOnlySetup(vars, google);
  return {
    port: vars.PORT,
    host: vars.HOST,
    dataDir: resolve(vars.DATA_DIR), // relative to the working directory, like any path given on the command line
    databaseUrl: vars.DATABASE_URL,
    logLevel: vars.LOG_LEVEL,
    webDistDir: resolve(repoRoot, vars.WEB_DIST_DIR ?? 'apps/web/dist'),
    publicUrl,
    google,
    firstPage: { size: vars.FIRST_PAGE_SIZE, budgetMs: vars.FIRST_PAGE_BUDGET_MS },
    backfill: {
      quotaUnits: vars.GMAIL_QUOTA_UNITS,
      quotaWindowMs: vars.GMAIL_QUOTA_WINDOW_MS,
      quotaUtilisation: vars.GMAIL_QUOTA_UTILISATION,
      maxConcurrent: vars.GMAIL_MAX_CONCURRENT,
      stallAfterMs: vars.BACKFILL_STALL_AFTER_MS,
      reconcileEveryMs: vars.RECONCILE_EVERY_MS,
      leaseMs: vars.LEASE_MS,
      leaseRenewEveryMs: vars.LEASE_RENEW_EVERY_MS,
      syncEveryMs: vars.GMAIL_SYNC_EVERY_MS,
      calendarSyncEveryMs: vars.CALENDAR_SYNC_EVERY_MS,
      writebackAttempts: vars.CALENDAR_WRITEBACK_ATTEMPTS,
    },
    ops: {
      emails: vars.OPS_EMAILS ? vars.OPS_EMAILS.split(',').map((email) => email.toLowerCase()) : [],
      token: vars.OPS_TOKEN,
    },
    tasks: tasksConfig(vars, publicUrl),
    quota: quotaConfig(vars),
    realtime: {
      maxSocketsPerSession: vars.WS_MAX_SOCKETS_PER_SESSION,
      maxSocketsPerIp: vars.WS_MAX_SOCKETS_PER_IP,
      resyncMinIntervalMs: vars.WS_RESYNC_MIN_INTERVAL_MS,
      maxMessageBytes: vars.WS_MAX_MESSAGE_BYTES,
      maxBufferedBytes: vars.WS_MAX_BUFFERED_BYTES,
    },
    sessions: { idleTimeoutMs: vars.SESSION_IDLE_TIMEOUT_MS, pruneEveryMs: vars.SESSION_PRUNE_EVERY_MS },
    tokenEncryptionKey: vars.TOKEN_ENCRYPTION_KEY
      ? Buffer.from(vars.TOKEN_ENCRYPTION_KEY, 'base64')
      : undefined,
    sessionSecret: vars.SESSION_SECRET,
    security: {
      trustProxy: parseTrustProxy(vars.TRUST_PROXY)!,
      rateLimit: { signInPerMinute: vars.RATE_LIMIT_SIGN_IN_PER_MIN, perMinute: vars.RATE_LIMIT_PER_MIN },
      serveSourceMaps: vars.SERVE_SOURCE_MAPS === 'true',
    },
  };
}

/**
 * An https PUBLIC_URL is a deployment: secrets generated into DATA_DIR would differ per instance and vanish with
 * the disk (every session and stored refresh token lost), and the embedded emulator's /admin routes mint tokens.
 */
function refuseLocalOnlySetup(vars: EnvVars, google: GoogleConfig): void {
  const missing = (['TOKEN_ENCRYPTION_KEY', 'SESSION_SECRET'] as const).filter((name) => !vars[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `invalid configuration: PUBLIC_URL is https, so TOKEN_ENCRYPTION_KEY and SESSION_SECRET must be set (missing: ${missing.join(', ')}); generated secrets are for local use only`,
    );
  }
  if (google.mode === 'embedded-emulator') {
    throw new ConfigError(
      'invalid configuration: PUBLIC_URL is https, so GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set (the embedded Google emulator is for local use only)',
    );
  }
}

/**
 * The quota plan a configuration's `backfill` figures imply. Loaded from the environment both come from the same
 * variables (GMAIL_QUOTA_UNITS, GMAIL_QUOTA_WINDOW_MS, GMAIL_QUOTA_UTILISATION); a test or benchmark that
 * overrides the window in `backfill` calls this so the scheduler does not pace its scaled clock at Google's
 * minute.
 */
export function withQuotaOfBackfill(config: Config): Config {
  const { quotaUnits, quotaWindowMs, quotaUtilisation } = config.backfill;
  const scaled = { windowMs: quotaWindowMs, utilisation: quotaUtilisation };
  const { quota } = config;
  return {
    ...config,
    quota: {
      ...quota,
      tickMs: Math.max(20, Math.round(quotaWindowMs / 60)),
      gmail: { ...quota.gmail, ...scaled, userUnits: quotaUnits },
      calendar: { ...quota.calendar, ...scaled },
    },
  };
}
