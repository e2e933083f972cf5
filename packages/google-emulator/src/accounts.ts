import { hashString, mix } from './hash.ts';
import type { EmulatorAccount } from './types.ts';

/** The accounts one emulator serves; the Calendar plugin and the core both read it. */
export class AccountDirectory {
  readonly #accounts = new Map<string, EmulatorAccount>();

  constructor(readonly seed: number) {}

  add(email: string, mailboxSize: number): EmulatorAccount {
    const key = email.toLowerCase();
    const existing = this.#accounts.get(key);
    if (existing) return existing;
    const accountSeed = mix(this.seed, hashString(key));
    // OpenID `sub`: a stable decimal string, like Google's 21-digit ids.
    const sub = `1${String(accountSeed).padStart(10, '0')}${String(hashString(`sub:${key}`)).padStart(10, '0')}`;
    const account: EmulatorAccount = { email: key, sub, mailboxSize, seed: accountSeed };
    this.#accounts.set(key, account);
    return account;
  }

  get(email: string): EmulatorAccount | undefined {
    return this.#accounts.get(email.toLowerCase());
  }

  list(): EmulatorAccount[] {
    return [...this.#accounts.values()];
  }
}
