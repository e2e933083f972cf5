/**
 * The API package's public surface (`@firstlight/api`): what e2e, the benchmarks and other packages may use.
 * Code outside apps/api imports only this file (dependency-cruiser enforces it); tests inside apps/api may
 * still reach the folder they test.
 */

// Lower-level pieces the benchmarks' naive baselines and fixtures measure or seed with (bench/naive-*.ts,
// bench/write-path.ts, bench/calendar-query.bench.ts, e2e/ops.e2e.test.ts). Not for product code.
export { TokenCipher, upsertUserAndAccount } from './accounts/index.ts';
// The runtime: one assembly of the product, for `main`, tests, e2e and benchmarks.
export type { AppLogger } from './app.ts';
export { beginSignIn, type CompletedSignIn, completeSignIn } from './auth/index.ts';
export { eventsInRangeQuery } from './calendar/calendar-repository.ts';
export { type Config, ConfigError, EMULATOR_CLIENT, loadConfig, withQuotaOfBackfill } from './config.ts';
export { type NewEmail, storeEmails, upsertEmails } from './emails/email-repository.ts';
export { emulatedGoogle, type GoogleSettings } from './google/google-settings.ts';
export { recordIngestFailures } from './ingest-failures/index.ts';
export type { BackfillSettings } from './ingestion/backfill-deps.ts';
export { DEFAULT_BATCH_SETTINGS } from './ingestion/ingestion-plugin.ts';
export {
  batchGetMessageMetadata,
  type Gmail,
  gmailClient,
  METADATA_HEADERS,
  parseGmailMessage,
} from './providers/index.ts';
// The project scheduler's pure allocator: the `scale` benchmark's discrete-event simulation plans with it.
export {
  type AllocationDemand,
  type AllocationInput,
  allocate,
  QUOTA_CLASSES,
  type QuotaClass,
} from './quota/index.ts';
export type { EventBus } from './realtime/event-bus.ts';
export { createRuntime, type RunningRuntime, type Runtime, type RuntimeOverrides } from './runtime.ts';
export { DEFAULT_WORKERS } from './tasks/embedded-queue.ts';
export type { TaskQueue } from './tasks/task-queue.ts';
