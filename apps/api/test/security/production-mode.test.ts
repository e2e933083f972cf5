import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { startGoogle } from '../../src/google/google-runtime.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const SECRETS = {
  TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  SESSION_SECRET: randomBytes(32).toString('base64url'),
};
const REAL_GOOGLE = { GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret' };

describe('an https PUBLIC_URL is a deployment', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'firstlight-prod-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The real entry point, as `npm start` runs it; secrets and Google credentials only where given. */
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: '0',
        TOKEN_ENCRYPTION_KEY: '',
        SESSION_SECRET: '',
        GOOGLE_CLIENT_ID: '',
        GOOGLE_CLIENT_SECRET: '',
        GOOGLE_EMULATOR_URL: '',
        ...env,
      },
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('refuses to start on generated secrets, in one line naming TOKEN_ENCRYPTION_KEY and SESSION_SECRET', async () => {
    const result = start({ PUBLIC_URL: 'https://firstlight.example', ...REAL_GOOGLE });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'firstlight: invalid configuration: PUBLIC_URL is https, so TOKEN_ENCRYPTION_KEY and SESSION_SECRET must be set (missing: TOKEN_ENCRYPTION_KEY, SESSION_SECRET); generated secrets are for local use only',
    ]);
    // Refused before anything was generated.
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('names the one that is missing', () => {
    const env = { PUBLIC_URL: 'https://firstlight.example', ...REAL_GOOGLE };
    expect(() => loadConfig({ ...env, TOKEN_ENCRYPTION_KEY: SECRETS.TOKEN_ENCRYPTION_KEY })).toThrow(
      /must be set \(missing: SESSION_SECRET\)/,
    );
    expect(() => loadConfig({ ...env, SESSION_SECRET: SECRETS.SESSION_SECRET })).toThrow(
      /must be set \(missing: TOKEN_ENCRYPTION_KEY\)/,
    );
    expect(loadConfig({ ...env, ...SECRETS }).google.mode).toBe('real');
  });

  it('refuses the embedded Google emulator (its /admin routes mint tokens)', () => {
    const env = { PUBLIC_URL: 'https://firstlight.example', ...SECRETS };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET must be set/);
  });

  it('still starts locally (http) on generated secrets and the emulator', () => {
    expect(loadConfig({}).google.mode).toBe('embedded-emulator');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }).tokenEncryptionKey).toBeUndefined();
  });
});

describe("the emulator's /admin routes with real Google", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'firstlight-google-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** startGoogle with the emulator package's loader watched. */
  async function start(env: Record<string, string>) {
    let loaded = 0;
    const runtime = await startGoogle(
      loadConfig({ DATA_DIR: dataDir, DEMO_LATENCY: 'none', ...env }),
      '127.0.0.1',
      () => {},
      () => {
        loaded++;
        return import('@firstlight/google-emulator');
      },
    );
    return { runtime, loaded };
  }

  it('never loads the emulator, so nothing can mount them', async () => {
    const { runtime, loaded } = await start({ ...REAL_GOOGLE, DEMO_ACCOUNTS: 'x@example.com:5' });
    expect(loaded).toBe(0);
    expect(runtime.description).toBe('Google (real)');
    expect(runtime.settings.tokenUrl).toBe('https://oauth2.googleapis.com/token');
    await runtime.close();
  });

  it('starts it, admin and all, only without Google credentials', async () => {
    const { runtime, loaded } = await start({ DEMO_ACCOUNTS: 'demo@example.com:5' });
    try {
      expect(loaded).toBe(1);
      const emulatorUrl = runtime.description.match(/at (http:\/\/\S+),/)![1]!;
      expect((await fetch(`${emulatorUrl}/admin/stats`)).status).toBe(200);
    } finally {
      await runtime.close();
    }
  });
});
