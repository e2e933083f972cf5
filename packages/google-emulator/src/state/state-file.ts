import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedOptions } from '../options.ts';
import { describeIdentity, identityOf, SavedState, sameIdentity } from './saved-state.ts';

/**
 * The state dir holds one JSON file, replaced whole on every save: written to a temporary file, then renamed
 * over the old one. A rename is atomic, so a process killed at any moment leaves the previous complete file
 * or the new one — never half of each. No fsync: a killed process loses nothing (the page cache survives it);
 * only a machine crash could, and then the file is unreadable at worst, which starts fresh with a warning.
 */

export const stateFileOf = (stateDir: string) => join(stateDir, 'state.json');

export function writeStateFile(path: string, state: SavedState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state), { mode: 0o600 });
  renameSync(temporary, path);
}

export function ensureStateDir(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
}

/**
 * The saved state if it belongs to this configuration. Anything else — unreadable, corrupt, another format
 * version, another seed or other accounts, another explicit anchor — is set aside as `state.json.discarded`
 * with one warning, and the emulator starts fresh: mixing state into data it was not made for would serve
 * history and sync tokens that point at messages and events that do not exist.
 */
export function loadState(
  stateDir: string,
  options: ResolvedOptions,
  warn: (message: string) => void,
): SavedState | undefined {
  const path = stateFileOf(stateDir);
  if (!existsSync(path)) return undefined;
  const discard = (why: string) => {
    const aside = `${path}.discarded`;
    try {
      renameSync(path, aside);
      warn(`${why}; starting fresh (the old file is kept as ${aside})`);
    } catch {
      warn(`${why}; starting fresh`);
    }
    return undefined;
  };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return discard(`state file ${path} is unreadable (${(error as Error).message})`);
  }
  const parsed = SavedState.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return discard(
      `state file ${path} is not a version-1 emulator state (${issue?.path.join('.') || '(file)'}: ${issue?.message})`,
    );
  }
  const saved = parsed.data;
  const identity = identityOf(options);
  if (!sameIdentity(saved.identity, identity)) {
    return discard(
      `state file ${path} was saved for ${describeIdentity(saved.identity)}, not ${describeIdentity(identity)}`,
    );
  }
  if (options.anchor !== undefined && options.anchor !== saved.anchor) {
    return discard(
      `state file ${path} was saved for anchor ${new Date(saved.anchor).toISOString()}, not ${new Date(options.anchor).toISOString()}`,
    );
  }
  return saved;
}
