import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase } from '@firstlight/db/testing';
import { TokenCipher } from '../../src/accounts/index.ts';
import { buildApp } from '../../src/app.ts';
import { type Config, EMULATOR_CLIENT, loadConfig } from '../../src/config.ts';
import { emulatedGoogle } from '../../src/google/google-settings.ts';
import { EventBus } from '../../src/realtime/event-bus.ts';
import { UNLIMITED_RATES } from '../support/rates.ts';
import { TEST_REDIRECT_URI } from '../support/test-app.ts';

/** The security settings of a test app: the defaults with the test's rate limits out of the way, then `patch`. */
export function security(patch: Partial<Config['security']> = {}): Config['security'] {
  return { ...loadConfig(UNLIMITED_RATES).security, ...patch };
}

/** A built SPA in a temp dir: the shell, a script and its source map, as `vite build` leaves them. */
export async function fakeWebBuild(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'firstlight-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><title>shell</title><script type="module" src="/assets/app.js"></script>',
  );
  await writeFile(join(dir, 'assets', 'app.js'), 'console.log(1)\n//# sourceMappingURL=app.js.map\n');
  await writeFile(join(dir, 'assets', 'app.js.map'), '{"version":3,"sources":["secret.ts"],"mappings":""}');
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * The real app with its request log captured (info level, as in production): for what ends up in the logs. Google
 * calls go nowhere; enough for the routes that do not sign in.
 */
export async function buildLoggedApp(overrides: Partial<Config>) {
  const database = await createTestDatabase({ migrated: true });
  const bus = new EventBus(database.url, { warn() {}, error() {} });
  await bus.start();
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const app = await buildApp({
    config: { ...loadConfig({ LOG_LEVEL: 'info', ...UNLIMITED_RATES }), ...overrides },
    db: database.db,
    bus,
    google: emulatedGoogle('http://127.0.0.1:9/', {
      ...EMULATOR_CLIENT,
      redirectUri: TEST_REDIRECT_URI,
      requestTimeoutMs: 1_000,
    }),
    tokenCipher: new TokenCipher(randomBytes(32)),
    sessionSecret: randomBytes(32).toString('base64url'),
    logger: { level: 'info', stream },
  });
  await app.ready();
  return {
    app,
    lines,
    close: async () => {
      await app.close();
      await bus.close();
      await database.drop();
    },
  };
}
