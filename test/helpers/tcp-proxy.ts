import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * - `forward`: pass bytes both ways.
 * - `refuse`: reset open connections and every new one, as a stopped server does.
 * - `stall`: hold bytes, and new connections, until the mode changes, as a
 *   network partition does while TCP keeps retransmitting.
 */
export type ProxyMode = 'forward' | 'refuse' | 'stall';

/** A TCP proxy on 127.0.0.1 in front of a real server, to cut the connection to it on demand. */
export class TcpProxy {
  mode: ProxyMode = 'forward';
  readonly #server: Server;
  readonly #pairs = new Set<{ client: Socket; upstream: Socket; held: { toUpstream: Buffer[]; toClient: Buffer[] } }>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    const proxy = new TcpProxy(server);
    server.on('connection', (client) => proxy.#accept(client, target));
    server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  setMode(mode: ProxyMode): void {
    this.mode = mode;
    for (const pair of this.#pairs) {
      if (mode === 'refuse') {
        pair.client.resetAndDestroy();
        pair.upstream.destroy();
      } else if (mode === 'forward') {
        for (const chunk of pair.held.toUpstream.splice(0)) pair.upstream.write(chunk);
        for (const chunk of pair.held.toClient.splice(0)) pair.client.write(chunk);
      }
    }
  }

  async close(): Promise<void> {
    this.setMode('refuse');
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket, target: { host: string; port: number }): void {
    if (this.mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target);
    const pair = { client, upstream, held: { toUpstream: [] as Buffer[], toClient: [] as Buffer[] } };
    this.#pairs.add(pair);
    const forget = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'forward' && pair.held.toUpstream.length === 0) upstream.write(chunk);
      else pair.held.toUpstream.push(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'forward' && pair.held.toClient.length === 0) client.write(chunk);
      else pair.held.toClient.push(chunk);
    });
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
  }
}
