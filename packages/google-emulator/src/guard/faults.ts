import { FaultPatch, FaultSettings } from '../options.ts';

/**
 * Fault knobs, for the whole emulator and per account (an account's settings override the emulator's,
 * knob by knob). Changed at start (options) or at run time (admin endpoint).
 */
export class FaultBook {
  #global: FaultSettings;
  readonly #accounts = new Map<string, FaultPatch>();

  constructor(initial: FaultPatch) {
    this.#global = FaultSettings.parse(initial);
  }

  setGlobal(patch: FaultPatch): void {
    this.#global = FaultSettings.parse({ ...this.#global, ...FaultPatch.parse(patch) });
  }

  setAccount(email: string, patch: FaultPatch): void {
    const current = this.#accounts.get(email.toLowerCase()) ?? {};
    this.#accounts.set(email.toLowerCase(), { ...current, ...FaultPatch.parse(patch) });
  }

  clear(): void {
    this.#global = FaultSettings.parse({});
    this.#accounts.clear();
  }

  for(email: string): FaultSettings {
    return { ...this.#global, ...this.#accounts.get(email.toLowerCase()) };
  }

  snapshot() {
    return { global: this.#global, accounts: Object.fromEntries(this.#accounts) };
  }
}
