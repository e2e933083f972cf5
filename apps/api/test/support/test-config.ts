import { randomBytes } from 'node:crypto';
import { type Config, loadConfig, withQuotaOfBackfill } from '../../src/config.ts';
import { UNLIMITED_RATES } from './rates.ts';

/** The redirect URI the tests' Google client is registered with. */
export const TEST_REDIRECT_URI = 'http://localhost:3000/auth/google/callback';

/**
 * A test's configuration: silent, rate limits out of the way, Google at `emulatorUrl` (10 s call timeout), fresh
 * secrets unless `secrets` (instances of one deployment share theirs), then `overrides`. Imports nothing from
 * vitest: a child process (the crash worker) builds its app with it.
 */
export function testConfig(
  emulatorUrl: string,
  overrides: Partial<Config> = {},
  secrets: { tokenKey: string; sessionSecret: string } = {
    tokenKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(32).toString('base64url'),
  },
): Config {
  const config: Config = {
    ...loadConfig({
      LOG_LEVEL: 'silent',
      ...UNLIMITED_RATES,
      GOOGLE_EMULATOR_URL: emulatorUrl,
      GOOGLE_REDIRECT_URI: TEST_REDIRECT_URI,
      GOOGLE_TIMEOUT_MS: '10000',
    }),
    tokenEncryptionKey: Buffer.from(secrets.tokenKey, 'base64'),
    sessionSecret: secrets.sessionSecret,
    ...overrides,
  };
  // A test that shortens the window in `backfill` means the scheduler's window too.
  return overrides.quota ? config : withQuotaOfBackfill(config);
}
