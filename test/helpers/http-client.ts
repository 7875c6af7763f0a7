import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

/** A request and its response as the OpenAPI conformance test reads them. */
export interface RecordedResponse {
  method: string;
  /** Path and query, relative to the API's mount point. */
  path: string;
  status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  text: string;
}

/**
 * Every response any `ApiClient` of this process received, in order. When
 * `TD_RESPONSE_LOG_DIR` is set (scripts/run-tests.mjs sets it), each one is
 * also appended to a file there, so that a test run after the suite can check
 * the responses of every test file.
 */
export const recordedResponses: RecordedResponse[] = [];

function recordResponse(response: RecordedResponse): void {
  recordedResponses.push(response);
  const folder = process.env.TD_RESPONSE_LOG_DIR;
  if (folder !== undefined && folder !== '') {
    appendFileSync(join(folder, `responses-${process.pid}.jsonl`), `${JSON.stringify(response)}\n`);
  }
}

/** A response read whole: status, lower-case headers and the parsed JSON body (undefined when empty). */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  /** Serialised as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * Sends real HTTP requests to a listening server. The base URL is the API's
 * mount point: recorded paths are checked against the OpenAPI document as
 * relative to it.
 */
export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization ??= `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }

    const response = await fetch(this.baseUrl + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    recordResponse({ method, path, status: response.status, body: parsed, text });
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }

  post<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('POST', path, options);
  }

  patch<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('PATCH', path, options);
  }

  delete<T = any>(path: string, options?: RequestOptions) {
    return this.request<T>('DELETE', path, options);
  }
}
