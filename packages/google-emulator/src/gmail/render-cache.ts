/**
 * messages.get answers, rendered once: a message is a pure function of (seed, slot) until a run-time change
 * (a relabel, a deletion) bumps its mailbox's version, so the JSON text of (mailbox, id, format, headers) is
 * kept and served again as is — a retried batch part, the backfill re-reading what the first page fetched, a
 * benchmark's many users on one emulator. Least recently used entries go first past `capacity`, so memory
 * stays bounded (~1.5 KB a metadata answer: 10,000 entries ≈ 15 MB).
 */
export class RenderCache {
  readonly #entries = new Map<string, { version: number; json: string }>();
  hits = 0;
  misses = 0;

  constructor(readonly capacity = 10_000) {}

  /** The cached text for `key` at `version`, or `render()`'s, kept for next time. */
  get(key: string, version: number, render: () => string): string {
    const entry = this.#entries.get(key);
    if (entry && entry.version === version) {
      this.hits++;
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry.json;
    }
    this.misses++;
    const json = render();
    this.#entries.delete(key);
    this.#entries.set(key, { version, json });
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    return json;
  }

  clear(): void {
    this.#entries.clear();
  }

  stats() {
    return { entries: this.#entries.size, capacity: this.capacity, hits: this.hits, misses: this.misses };
  }
}
