import type { ResolvedKey } from '../config/keys.js';

/** Distinct header segments remembered; real deployments have one per key. */
const MAX_REMEMBERED_HEADERS = 64;
/** Longer header segments are rejected unread; real ones are under 200 characters. */
const MAX_HEADER_SEGMENT_LENGTH = 1024;

/**
 * Picks the verifiers that may check a token, from its header alone.
 *
 * A token with a `kid` gets the one verifier of that key, and only when the
 * header's `alg` is the key's algorithm. A token without a `kid` (as
 * simplejwt mints them) gets the HS256 keys and nothing else, so it can never
 * reach an asymmetric key. Every token of one key has the same header
 * segment, so the decision is remembered per segment and the hot path does
 * no decoding beyond fast-jwt's own.
 */
export class KeyResolver<V> {
  readonly #byKid = new Map<string, { algorithm: string; verifier: V }>();
  readonly #withoutKid: V[] = [];
  readonly #byHeader = new Map<string, V[]>();

  constructor(keys: readonly ResolvedKey[], createVerifier: (key: ResolvedKey) => V) {
    for (const key of keys) {
      const verifier = createVerifier(key);
      this.#byKid.set(key.kid, { algorithm: key.algorithm, verifier });
      if (key.algorithm === 'HS256') this.#withoutKid.push(verifier);
    }
  }

  /** Returns the candidate verifiers, or undefined when no configured key may check this token. */
  verifiersFor(token: string): V[] | undefined {
    const end = token.indexOf('.');
    if (end <= 0 || end > MAX_HEADER_SEGMENT_LENGTH) return undefined;
    const segment = token.slice(0, end);

    const remembered = this.#byHeader.get(segment);
    if (remembered !== undefined) return remembered;

    const verifiers = this.#resolve(segment);
    if (verifiers !== undefined) {
      // Crafted headers could fill the map; starting over keeps it small and lets real headers back in.
      if (this.#byHeader.size >= MAX_REMEMBERED_HEADERS) this.#byHeader.clear();
      this.#byHeader.set(segment, verifiers);
    }
    return verifiers;
  }

  #resolve(segment: string): V[] | undefined {
    let header: unknown;
    try {
      header = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (header === null || typeof header !== 'object' || Array.isArray(header)) return undefined;

    const { alg, kid } = header as Record<string, unknown>;
    if (kid === undefined) return alg === 'HS256' && this.#withoutKid.length > 0 ? this.#withoutKid : undefined;
    if (typeof kid !== 'string') return undefined;

    const entry = this.#byKid.get(kid);
    if (entry === undefined || entry.algorithm !== alg) return undefined;
    return [entry.verifier];
  }
}
