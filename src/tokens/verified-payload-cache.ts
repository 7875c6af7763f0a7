/**
 * Payloads of tokens that passed signature, issuer and audience checks,
 * keyed by the token string itself. fast-jwt 6's own cache keys each token
 * by its SHA-256. A CPU profile of the authenticated route showed that hash
 * as most of the cost of a cached verification, while a map lookup by the
 * string needs no hash and matches only the identical token. Only verified
 * tokens enter, so forged tokens cannot fill it. The caller still checks
 * expiry and every claim on each use.
 */
export class VerifiedPayloadCache {
  readonly #payloads = new Map<string, Record<string, unknown>>();
  readonly #maxEntries: number;
  readonly #maxTokenLength: number;

  /**
   * @param maxEntries entries kept; the oldest is dropped to make room.
   * @param maxTokenLength longer tokens are not kept, which bounds the memory of the keys.
   */
  constructor(maxEntries: number, maxTokenLength: number) {
    this.#maxEntries = maxEntries;
    this.#maxTokenLength = maxTokenLength;
  }

  get(token: string): Record<string, unknown> | undefined {
    return this.#payloads.get(token);
  }

  set(token: string, payload: Record<string, unknown>): void {
    if (token.length > this.#maxTokenLength || this.#payloads.has(token)) return;
    if (this.#payloads.size >= this.#maxEntries) {
      // A Map iterates in insertion order, so the first key is the oldest entry.
      const oldest = this.#payloads.keys().next();
      if (oldest.done !== true) this.#payloads.delete(oldest.value);
    }
    this.#payloads.set(token, payload);
  }
}
