import { QueueName } from '@firstlight/contracts';
import { z } from 'zod';
import { parseTrustProxy } from '../security/index.ts';
import { QuotaEnvSchema } from './quota-env.ts';

/** Every environment variable, validated (README.md § Configuration documents each one). */

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

const TASK_WORKERS_EXAMPLE = 'ingest-high=48,ingest-low=32,writeback=4';
const workersEntry = `(${QueueName.options.join('|')})=[1-9]\\d{0,2}`;
const TASK_WORKERS_PATTERN = new RegExp(`^${workersEntry}(,${workersEntry})*$`);

export const EnvSchema = z.object({
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
  ...QuotaEnvSchema.shape,
});

export type EnvVars = z.infer<typeof EnvSchema>;
