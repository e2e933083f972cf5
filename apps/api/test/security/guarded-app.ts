import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Config, loadConfig } from '../../src/config.ts';
import { UNLIMITED_RATES } from '../support/rates.ts';
import { buildTestApp } from '../support/test-app.ts';

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
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  const test = await buildTestApp({ overrides, logger: { level: 'info', stream } });
  return { app: test.app, lines, close: test.close };
}
