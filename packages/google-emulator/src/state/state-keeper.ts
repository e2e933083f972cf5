import type { SavedState } from './saved-state.ts';
import { ensureStateDir, stateFileOf, writeStateFile } from './state-file.ts';

/**
 * Saves the emulator's run-time state after it changed. A change made while answering a request is saved
 * before the reply is sent (the server's onSend hook calls `flushIfDirty`), so what a client was told — a
 * refresh token, an event written, a historyId — is on disk before the client can act on it, as with Google.
 * Changes made outside requests (in-process admin calls) are saved on the next turn of the event loop, which
 * also folds a burst of them into one write. Nothing is saved while nothing changed.
 */
export class StateKeeper {
  readonly path: string;
  #dirty = false;
  #scheduled: NodeJS.Immediate | undefined;
  #collect: (() => SavedState) | undefined;
  #lastProblem: string | undefined;

  constructor(
    stateDir: string,
    private readonly warn: (message: string) => void,
  ) {
    ensureStateDir(stateDir);
    this.path = stateFileOf(stateDir);
  }

  /** From now on the state can be collected (after a restore): saves it once, then on every change. */
  attach(collect: () => SavedState): void {
    this.#collect = collect;
    this.#dirty = true;
    this.flushIfDirty();
  }

  markDirty(): void {
    this.#dirty = true;
    if (this.#collect && !this.#scheduled) {
      this.#scheduled = setImmediate(() => this.flushIfDirty());
      this.#scheduled.unref();
    }
  }

  flushIfDirty(): void {
    if (this.#scheduled) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (!this.#dirty || !this.#collect) return;
    this.#dirty = false;
    try {
      writeStateFile(this.path, this.#collect());
      this.#lastProblem = undefined;
    } catch (error) {
      // The emulator keeps serving from memory; the next change tries again. One warning per distinct problem.
      this.#dirty = true;
      const problem = (error as Error).message;
      if (problem !== this.#lastProblem) this.warn(`could not save state to ${this.path}: ${problem}`);
      this.#lastProblem = problem;
    }
  }

  close(): void {
    this.flushIfDirty();
    this.#collect = undefined;
  }
}
