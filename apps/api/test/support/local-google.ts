import { type EmulatorHandle, startEmulator } from '@firstlight/google-emulator';

/**
 * The emulator as most integration tests want it: any free port, no added latency, consent approved at once,
 * `accounts` seeded; `windowMs` scales Google's quota window like the test's backfill (see backfill-harness).
 */
export function localGoogle(
  accounts: { email: string; mailboxSize: number }[],
  options: { seed: number; windowMs?: number },
): Promise<EmulatorHandle> {
  return startEmulator({
    port: 0,
    seed: options.seed,
    latency: 'none',
    autoApprove: true,
    ...(options.windowMs ? { quota: { windowMs: options.windowMs } } : {}),
    accounts,
  });
}
