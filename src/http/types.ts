/** Header values as Node's `IncomingMessage` gives them: lower-case names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A framework-neutral request, built by each adapter. */
export interface HttpRequest {
  method: string;
  headers: RequestHeaders;
  /** Path parameters, such as `deviceUid`. */
  params: Record<string, string>;
  /** Query string parameters; a repeated name gives an array. Adapters that omit it pass none. */
  query?: Record<string, unknown>;
  /** The socket peer's address, before any proxy header is considered. */
  socketAddress: string | undefined;
  /**
   * The body: raw bytes when the adapter has not parsed it, or the value a
   * host's own body parser already produced. When the adapter could not read
   * it (such as `payload_too_large`), the error, which the route throws when
   * it parses the body.
   */
  body: { raw: Buffer } | { parsed: unknown } | { error: unknown } | undefined;
}

/** A framework-neutral response; adapters write it as JSON. */
export interface HttpResponse {
  status: number;
  /** Serialised as JSON; omitted for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}
