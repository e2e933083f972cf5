import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher } from './token-cipher.ts';

describe('TokenCipher', () => {
  const cipher = new TokenCipher(randomBytes(32));

  it('round-trips a token and never stores it in clear', () => {
    const sealed = cipher.encrypt('1//refresh-token-value', 'account-1');
    expect(sealed.toString('latin1')).not.toContain('refresh-token-value');
    expect(cipher.decrypt(sealed, 'account-1')).toBe('1//refresh-token-value');
  });

  it('uses a fresh IV each time', () => {
    expect(cipher.encrypt('same', 'a').equals(cipher.encrypt('same', 'a'))).toBe(false);
  });

  it('refuses a tampered ciphertext, another account, or another key', () => {
    const sealed = cipher.encrypt('secret', 'account-1');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => cipher.decrypt(tampered, 'account-1')).toThrow();
    expect(() => cipher.decrypt(sealed, 'account-2')).toThrow();
    expect(() => new TokenCipher(randomBytes(32)).decrypt(sealed, 'account-1')).toThrow();
  });

  it('refuses a key of the wrong size', () => {
    expect(() => new TokenCipher(randomBytes(16))).toThrow(/32 bytes/);
  });
});
