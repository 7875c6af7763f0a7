import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake answers for one address. */
export type FakeAnswer =
  | { kind: 'json'; status?: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'text'; status?: number; text: string }
  /** Holds the response until `releaseHeld` is called. */
  | { kind: 'hold'; body: unknown };

export interface RecordedRequest {
  path: string;
  userAgent: string | undefined;
  search: string;
}

/**
 * An HTTP server on 127.0.0.1 that answers like ipapi.co's `/<ip>/json/`
 * endpoint, from a table of answers per address. Unlisted addresses get the
 * reserved-address error body.
 */
export class FakeIpapi {
  readonly requests: RecordedRequest[] = [];
  readonly answers = new Map<string, FakeAnswer>();
  readonly #held: { response: ServerResponse; body: unknown }[] = [];
  readonly #server = createServer((request, response) => this.#handle(request, response));
  baseUrl = '';

  async start(): Promise<this> {
    this.#server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => this.#server.once('listening', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Sends every held response. */
  releaseHeld(): void {
    for (const { response, body } of this.#held.splice(0)) sendJson(response, 200, body);
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    this.requests.push({ path: url.pathname, userAgent: request.headers['user-agent'], search: url.search });
    const ip = decodeURIComponent(url.pathname.split('/').at(-3) ?? '');
    const answer = this.answers.get(ip) ?? { kind: 'json', body: { ip, error: true, reason: 'Reserved IP Address', reserved: true } };

    switch (answer.kind) {
      case 'json':
        sendJson(response, answer.status ?? 200, answer.body, answer.headers);
        return;
      case 'text':
        response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(answer.text);
        return;
      case 'hold':
        this.#held.push({ response, body: answer.body });
        return;
    }
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** A success body of ipapi.co's JSON endpoint, trimmed to the fields that matter here plus a few others. */
export function ipapiSuccess(ip: string, country: string, region: string, city: string): unknown {
  return {
    ip,
    network: `${ip}/24`,
    version: ip.includes(':') ? 'IPv6' : 'IPv4',
    city,
    region,
    region_code: 'XX',
    country: 'XX',
    country_name: country,
    country_code: 'XX',
    continent_code: 'EU',
    in_eu: true,
    latitude: 51.5,
    longitude: -0.1,
    timezone: 'Europe/London',
    utc_offset: '+0000',
    currency: 'GBP',
    asn: 'AS64496',
    org: 'Example Networks',
  };
}
