import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QueueName } from '@firstlight/contracts';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './security/trust-proxy.ts';

/**
 * The one place that reads `process.env`. Every variable is documented in README.md § Configuration.
 * An empty value counts as unset, as docker-compose and shells often pass `VAR=`.
 */

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

const postgresUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  },
  { error: 'must be a postgres:// URL, e.g. postgres://user:password@host:5432/firstlight' },
);

const TASK_WORKERS_EXAMPLE = 'ingest-high=16,ingest-low=32,writeback=4';
const workersEntry = `(${QueueName.options.join('|')})=[1-9]\\d{0,2}`;
const TASK_WORKERS_PATTERN = new RegExp(`^${workersEntry}(,${workersEntry})*$`);

const EnvSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: postgresUrl.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_DIST_DIR: z.string().min(1).optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  GOOGLE_EMULATOR_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  GOOGLE_EMULATOR_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  GOOGLE_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(100)
    .max(600_000)
    .default(15_000),
  DEMO_ACCOUNTS: z
    .string()
    .regex(
      /^[^\s:,]+@[^\s:,]+:\d+(,[^\s:,]+@[^\s:,]+:\d+)*$/,
      'must look like demo@example.com:5000[,other@example.com:100]',
    )
    .default('demo@example.com:5000'),
  DEMO_SEED: z.coerce.number({ error: 'must be a number' }).int().default(1),
  DEMO_LATENCY: z.enum(['google', 'none']).default('google'),
  FIRST_PAGE_SIZE: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(50, 'must be 50..100')
    .max(100, 'must be 50..100')
    .default(50),
  FIRST_PAGE_BUDGET_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(100)
    .max(60_000)
    .default(2500),
  TOKEN_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, {
      error: 'must be 32 bytes, base64 (openssl rand -base64 32)',
    })
    .optional(),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  GMAIL_QUOTA_UNITS: z.coerce.number({ error: 'must be a number' }).int().min(1).default(6_000),
  GMAIL_QUOTA_WINDOW_MS: z.coerce.number({ error: 'must be a number' }).int().min(100).default(60_000),
  GMAIL_QUOTA_UTILISATION: z.coerce.number({ error: 'must be a number' }).gt(0).max(1).default(0.95),
  GMAIL_MAX_CONCURRENT: z.coerce.number({ error: 'must be a number' }).int().min(1).max(100).default(4),
  BACKFILL_STALL_AFTER_MS: z.coerce.number({ error: 'must be a number' }).int().min(1_000).default(600_000),
  LEASE_MS: z.coerce.number({ error: 'must be a number' }).int().min(200).max(3_600_000).default(15_000),
  LEASE_RENEW_EVERY_MS: z.coerce.number({ error: 'must be a number' }).int().min(50).default(5_000),
  RECONCILE_EVERY_MS: z.coerce.number({ error: 'must be a number' }).int().min(100).default(60_000),
  GMAIL_SYNC_EVERY_MS: z.coerce.number({ error: 'must be a number' }).int().min(1_000).default(60_000),
  CALENDAR_SYNC_EVERY_MS: z.coerce.number({ error: 'must be a number' }).int().min(1_000).default(300_000),
  CALENDAR_WRITEBACK_ATTEMPTS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1)
    .max(100)
    .default(8),
  OPS_EMAILS: z
    .string()
    .regex(/^[^\s,]+@[^\s,]+(,[^\s,]+@[^\s,]+)*$/, 'must be a comma-separated list of emails')
    .optional(),
  OPS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  WS_MAX_SOCKETS_PER_SESSION: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1)
    .max(1_000)
    .default(10),
  WS_MAX_SOCKETS_PER_IP: z.coerce.number({ error: 'must be a number' }).int().min(1).max(100_000).default(50),
  WS_RESYNC_MIN_INTERVAL_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0)
    .max(60_000)
    .default(1_000),
  WS_MAX_MESSAGE_BYTES: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(64)
    .max(1_048_576)
    .default(1_024),
  WS_MAX_BUFFERED_BYTES: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(16_384)
    .max(67_108_864)
    .default(1_048_576),
  SESSION_IDLE_TIMEOUT_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(3_600_000, 'must be at least 3600000 (1 hour)')
    .max(2_592_000_000, 'must be at most 2592000000 (30 days, the absolute lifetime)')
    .default(604_800_000),
  SESSION_PRUNE_EVERY_MS: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(1_000)
    .max(86_400_000)
    .default(3_600_000),
  TASK_QUEUE: z.enum(['embedded', 'cloud-tasks']).default('embedded'),
  TASK_WORKERS: z
    .string()
    .regex(
      TASK_WORKERS_PATTERN,
      `must look like ${TASK_WORKERS_EXAMPLE} (queues: ${QueueName.options.join(', ')}; 1–999 each)`,
    )
    .refine((value) => {
      const queues = value.split(',').map((entry) => entry.split('=')[0]);
      return new Set(queues).size === queues.length;
    }, 'names a queue twice')
    .optional(),
  CLOUD_TASKS_PROJECT: z.string().min(1).default('dev'),
  CLOUD_TASKS_LOCATION: z.string().min(1).default('here'),
  CLOUD_TASKS_EMULATOR_HOST: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .optional(),
  TASKS_TARGET_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  TASKS_SERVICE_ACCOUNT: z.string().email().optional(),
  TASKS_OIDC_AUDIENCE: z.string().min(1).optional(),
  TASKS_OIDC_CERTS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  TASKS_OIDC_ISSUER: z.string().min(1).optional(),
  TRUST_PROXY: z
    .string()
    .refine(
      (value) => parseTrustProxy(value) !== undefined,
      'must be true, false, a hop count or a comma-separated list of addresses/CIDRs',
    )
    .default('false'),
  RATE_LIMIT_SIGN_IN_PER_MIN: z.coerce.number({ error: 'must be a number' }).int().min(1).default(60),
  RATE_LIMIT_PER_MIN: z.coerce.number({ error: 'must be a number' }).int().min(1).default(1200),
  SERVE_SOURCE_MAPS: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
});

export interface Config {
  port: number;
  host: string;
  /** Absolute; the embedded PostgreSQL lives in `${dataDir}/pg`. */
  dataDir: string;
  /** Unset: start the embedded PostgreSQL. */
  databaseUrl: string | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
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

/**
 * Which Google: `embedded-emulator` (no credentials: `npm start` runs the emulator in-process with demo
 * accounts), `external-emulator` (GOOGLE_EMULATOR_URL, e.g. docker-compose) or `real` (client id + secret).
 */
export type GoogleConfig =
  | { mode: 'real'; clientId: string; clientSecret: string; redirectUri: string; timeoutMs: number }
  | {
      mode: 'external-emulator';
      /** Where the API reaches the emulator. */
      url: string;
      /** Where browsers reach it (its consent page); differs inside docker-compose. */
      publicUrl: string;
      clientId: string;
      clientSecret: string;
      redirectUri: string;
      timeoutMs: number;
    }
  | {
      mode: 'embedded-emulator';
      clientId: string;
      clientSecret: string;
      redirectUri: string;
      timeoutMs: number;
      demoAccounts: { email: string; mailboxSize: number }[];
      seed: number;
      latency: 'google' | 'none';
    };

/** The emulator's built-in OAuth client (packages/google-emulator). */
export const EMULATOR_CLIENT = { clientId: 'firstlight-local', clientSecret: 'firstlight-local-secret' };

export class ConfigError extends Error {
  override name = 'ConfigError';
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
function refuseLocalOnlySetup(vars: z.infer<typeof EnvSchema>, google: GoogleConfig): void {
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
 * The task queue: `embedded` (pg-boss in our PostgreSQL) or `cloud-tasks` (the real client; against the
 * emulator when CLOUD_TASKS_EMULATOR_HOST is set, over insecure gRPC).
 */
export type TasksConfig =
  | {
      mode: 'embedded';
      /** Workers per queue in this process (TASK_WORKERS); the queue's defaults where unset. */
      workers: Partial<Record<QueueName, number>>;
    }
  | {
      mode: 'cloud-tasks';
      project: string;
      location: string;
      emulatorHost: string | undefined;
      /** Where Cloud Tasks sends tasks: `${targetUrl}/tasks/<kind>`. */
      targetUrl: string;
      serviceAccount: string;
      /** The OIDC audience our /tasks routes require (default: the target URL). */
      audience: string;
      /** Keys that sign the OIDC tokens (PEM map or JWKS): Google's by default, the emulator's in docker-compose. */
      certsUrl: string;
      /** Accepted `iss` of those tokens: Google's by default. */
      issuers: string[];
    };

function tasksConfig(vars: z.infer<typeof EnvSchema>, publicUrl: string): TasksConfig {
  if (vars.TASK_QUEUE === 'embedded') {
    const workers = Object.fromEntries(
      (vars.TASK_WORKERS?.split(',') ?? []).map((entry) => {
        const [queue, count] = entry.split('=');
        return [queue, Number(count)];
      }),
    );
    return { mode: 'embedded', workers };
  }
  const targetUrl = (vars.TASKS_TARGET_URL ?? publicUrl).replace(/\/$/, '');
  if (!vars.TASKS_SERVICE_ACCOUNT) {
    throw new ConfigError(
      'invalid configuration: TASKS_SERVICE_ACCOUNT is required when TASK_QUEUE=cloud-tasks',
    );
  }
  return {
    mode: 'cloud-tasks',
    project: vars.CLOUD_TASKS_PROJECT,
    location: vars.CLOUD_TASKS_LOCATION,
    emulatorHost: vars.CLOUD_TASKS_EMULATOR_HOST,
    targetUrl,
    serviceAccount: vars.TASKS_SERVICE_ACCOUNT,
    audience: vars.TASKS_OIDC_AUDIENCE ?? targetUrl,
    certsUrl: vars.TASKS_OIDC_CERTS_URL ?? 'https://www.googleapis.com/oauth2/v1/certs',
    issuers: vars.TASKS_OIDC_ISSUER
      ? [vars.TASKS_OIDC_ISSUER]
      : ['https://accounts.google.com', 'accounts.google.com'],
  };
}

function googleConfig(vars: z.infer<typeof EnvSchema>, publicUrl: string): GoogleConfig {
  const redirectUri = vars.GOOGLE_REDIRECT_URI ?? `${publicUrl}/auth/google/callback`;
  const timeoutMs = vars.GOOGLE_TIMEOUT_MS;
  if (vars.GOOGLE_EMULATOR_URL) {
    return {
      mode: 'external-emulator',
      url: vars.GOOGLE_EMULATOR_URL,
      publicUrl: vars.GOOGLE_EMULATOR_PUBLIC_URL ?? vars.GOOGLE_EMULATOR_URL,
      clientId: vars.GOOGLE_CLIENT_ID ?? EMULATOR_CLIENT.clientId,
      clientSecret: vars.GOOGLE_CLIENT_SECRET ?? EMULATOR_CLIENT.clientSecret,
      redirectUri,
      timeoutMs,
    };
  }
  if (vars.GOOGLE_CLIENT_ID && vars.GOOGLE_CLIENT_SECRET) {
    return {
      mode: 'real',
      clientId: vars.GOOGLE_CLIENT_ID,
      clientSecret: vars.GOOGLE_CLIENT_SECRET,
      redirectUri,
      timeoutMs,
    };
  }
  if (vars.GOOGLE_CLIENT_ID || vars.GOOGLE_CLIENT_SECRET) {
    const missing = vars.GOOGLE_CLIENT_ID ? 'GOOGLE_CLIENT_SECRET' : 'GOOGLE_CLIENT_ID';
    throw new ConfigError(
      `invalid configuration: ${missing} is required when the other Google credential is set`,
    );
  }
  return {
    mode: 'embedded-emulator',
    ...EMULATOR_CLIENT,
    redirectUri,
    timeoutMs,
    demoAccounts: vars.DEMO_ACCOUNTS.split(',').map((entry) => {
      const [email, size] = entry.split(':');
      return { email: email!, mailboxSize: Number(size) };
    }),
    seed: vars.DEMO_SEED,
    latency: vars.DEMO_LATENCY,
  };
}
