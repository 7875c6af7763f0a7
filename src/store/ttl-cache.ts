interface CacheEntry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded in-process cache whose entries expire `ttlMs` after they are set.
 * When full, the oldest insertion goes first. A TTL of 0 disables it: `set`
 * does nothing and `get` finds nothing.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, CacheEntry<V>>();
  #ttlMs: number;
  readonly #maxEntries: number;
  #generation = 0;

  constructor(ttlMs: number, maxEntries: number) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get enabled(): boolean {
    return this.#ttlMs > 0;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Counts `delete` and `clear` calls. A reader takes it before a slow read
   * and passes it to `setIfUnchanged`, so a value read before an
   * invalidation is not cached after it.
   */
  get generation(): number {
    return this.#generation;
  }

  /** Changes the lifetime of entries set from now on; entries already set keep theirs. */
  setTtl(ttlMs: number): void {
    this.#ttlMs = ttlMs;
  }

  /** Returns the fresh entry for a key; an expired one is dropped. */
  get(key: string, now: number): CacheEntry<V> | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: V, now: number): void {
    if (!this.enabled) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** Sets the entry only when nothing was deleted or cleared since `generation` was read. */
  setIfUnchanged(key: string, value: V, now: number, generation: number): void {
    if (generation === this.#generation) this.set(key, value, now);
  }

  delete(key: string): void {
    this.#generation++;
    this.#entries.delete(key);
  }

  clear(): void {
    this.#generation++;
    this.#entries.clear();
  }
}
