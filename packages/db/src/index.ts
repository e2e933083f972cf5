export {
  type ConnectOptions,
  createDatabase,
  createPool,
  isDatabaseUnreachable,
  retryWhileUnreachable,
  type WaitOptions,
} from './connect.ts';
export {
  type EmbeddedPostgresHandle,
  type EmbeddedPostgresOptions,
  ensureDatabase,
  freePort,
  startEmbeddedPostgres,
} from './embedded-postgres.ts';
export {
  defaultMigrationsDir,
  MigrationError,
  type MigrationFile,
  type MigrationStatus,
  migrate,
  migrationStatus,
  readMigrations,
  withMigrationLock,
} from './migrator.ts';
export { isDataError, optimistically, refusedReason, storeIsolated } from './row-isolation.ts';
export type * from './schema.ts';
