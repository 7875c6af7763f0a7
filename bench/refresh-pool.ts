/**
 * Refresh tokens that have not been used yet. A refresh request takes one and,
 * when the server answers 200, puts back the rotated token it received, so
 * each device follows its own rotation chain and no token is sent twice.
 */
export class RefreshPool {
  readonly #unused: string[];
  /** Requests that found the pool empty and were sent without a token. */
  exhausted = 0;

  constructor(tokens: string[]) {
    this.#unused = [...tokens];
  }

  get size(): number {
    return this.#unused.length;
  }

  take(): string | undefined {
    const token = this.#unused.pop();
    if (token === undefined) this.exhausted += 1;
    return token;
  }

  putBack(token: string): void {
    this.#unused.push(token);
  }
}
