import { ConfigError } from './config-error.ts';
import type { EnvVars } from './env-schema.ts';

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

export function googleConfig(vars: EnvVars, publicUrl: string): GoogleConfig {
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
