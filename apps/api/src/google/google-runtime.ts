import { join } from 'node:path';
import type { Config } from '../config.ts';
import { emulatedGoogle, type GoogleSettings, realGoogle } from './google-settings.ts';

type EmulatorModule = Pick<typeof import('@firstlight/google-emulator'), 'startEmulator'>;

export interface GoogleRuntime {
  settings: GoogleSettings;
  /** A line for the start banner: which Google this is. */
  description: string;
  close(): Promise<void>;
}

/**
 * Resolves the configured Google. In embedded mode the emulator runs in this process (demo accounts, seeded
 * mailbox), on its own port so the browser can reach its consent page like it would reach Google's, and keeps
 * its grants and run-time changes in `DATA_DIR/google-emulator`, as Google would: a restart of the product
 * asks nobody to sign in again. (Its port may change between runs; nothing saved depends on it.)
 */
export async function startGoogle(
  config: Config,
  host: string,
  warn: (message: string) => void = (message) => console.warn(`google-emulator: ${message}`),
  /** How the emulator package is loaded (a test watches that real Google never loads it). */
  loadEmulator: () => Promise<EmulatorModule> = () => import('@firstlight/google-emulator'),
): Promise<GoogleRuntime> {
  const google = config.google;
  const credentials = {
    clientId: google.clientId,
    clientSecret: google.clientSecret,
    redirectUri: google.redirectUri,
    requestTimeoutMs: google.timeoutMs,
  };
  if (google.mode === 'real') {
    return { settings: realGoogle(credentials), description: 'Google (real)', close: async () => {} };
  }
  if (google.mode === 'external-emulator') {
    return {
      settings: emulatedGoogle(google.url, credentials, google.publicUrl),
      description: `Google emulator at ${google.url}`,
      close: async () => {},
    };
  }
  // Loaded only here, in embedded mode, which loadConfig chooses only without Google credentials (and refuses with an
  // https PUBLIC_URL): a process configured for real Google never has the emulator, nor its /admin routes.
  const { startEmulator } = await loadEmulator();
  const emulator = await startEmulator({
    host,
    port: 0,
    seed: google.seed,
    accounts: google.demoAccounts,
    latency: google.latency,
    // The emulator keeps Google's per-user quota on the same clock as our pacer: a shortened
    // GMAIL_QUOTA_WINDOW_MS time-scales both, instead of pacing for a window the emulator does not have.
    quota: { windowMs: config.backfill.quotaWindowMs, gmailUnitsPerUser: config.backfill.quotaUnits },
    clients: [{ clientId: google.clientId, clientSecret: google.clientSecret }],
    stateDir: join(config.dataDir, 'google-emulator'),
    warn,
  });
  const accounts = google.demoAccounts.map((account) => `${account.email} (${account.mailboxSize} messages)`);
  return {
    settings: emulatedGoogle(emulator.url, credentials),
    description: `Google emulator at ${emulator.url}, accounts: ${accounts.join(', ')}`,
    close: () => emulator.close(),
  };
}
