/** Header values as Node's `IncomingMessage` gives them: lower-case names. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A framework-neutral request, built by each adapter. */
export interface HttpRequest {
  method: string;
  /** The URL path as received, still percent-encoded, including any mount prefix. */
  path: string;
  headers: RequestHeaders;
  /** Path parameters, such as `deviceUid`, decoded. */
  params: Record<string, string>;
  /** Query string parameters; a repeated name gives an array. Adapters that omit it pass none. */
  query?: Record<string, unknown>;
  /** The socket peer's address, before any proxy header is considered. */
  socketAddress: string | undefined;
  /**
   * The body: raw bytes when the adapter has not parsed it, or the value a
   * host's own body parser already produced. When the adapter could not read
   * it (such as `payload_too_large`), the error, which the route throws when
   * it parses the body, so that the route logs it like any other rejection.
   */
  body: { raw: Uint8Array } | { parsed: unknown } | { error: unknown } | undefined;
}

/** A framework-neutral response; adapters write `body` as JSON, or `content` as it is. */
export interface HttpResponse {
  status: number;
  /** Serialised as JSON; omitted for 204. */
  body?: unknown;
  /** A non-JSON body, such as a documentation page; `headers` carries its `content-type`. */
  content?: string | Uint8Array;
  headers?: Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** The `content-type` of every JSON response, on every framework. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
