import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import type { BenchServerMessage, DriverMessage } from './server-protocol.js';

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));
/** Longest the driver waits for the server to listen or to exit, in milliseconds. */
const START_TIMEOUT_MS = 30_000;

export interface ServerStats {
  statements: Extract<BenchServerMessage, { type: 'stats' }>['statements'];
  rss: number;
  heapUsed: number;
}

/** A bench server running in a child process, reached over 127.0.0.1. */
export class BenchServerProcess {
  readonly baseUrl: string;
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, port: number) {
    this.#child = child;
    this.baseUrl = `http://127.0.0.1:${port}`;
  }

  /**
   * Starts `bench/server.ts` with `env` added to this process's environment.
   * `cpuProfileDir` turns on V8's `--cpu-prof`, writing the profile there on exit.
   */
  static async start(env: Record<string, string>, cpuProfileDir?: string): Promise<BenchServerProcess> {
    const execArgv = ['--import', 'tsx', '--expose-gc'];
    if (cpuProfileDir !== undefined) execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`);
    const child = fork(SERVER_ENTRY, [], { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('The bench server did not start listening within 30 s.')), START_TIMEOUT_MS);
      child.once('message', (message: BenchServerMessage) => {
        clearTimeout(timer);
        if (message.type === 'listening') resolve(message.port);
        else reject(new Error(`The bench server sent ${message.type} before listening.`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The bench server exited with code ${String(code)} before listening.`));
      });
    });
    return new BenchServerProcess(child, port);
  }

  /** Memory of the server and, when counting is on, the statements since the previous call. */
  stats(collectGarbage = false): Promise<ServerStats> {
    return new Promise((resolve) => {
      this.#child.once('message', (message: BenchServerMessage) => {
        if (message.type === 'stats') resolve({ statements: message.statements, rss: message.rss, heapUsed: message.heapUsed });
      });
      this.#send({ type: 'stats', collectGarbage });
    });
  }

  /** Stops the server and waits for its exit, which also writes any CPU profile. */
  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), START_TIMEOUT_MS);
    this.#send({ type: 'stop' });
    await exited;
    clearTimeout(timer);
  }

  #send(message: DriverMessage): void {
    this.#child.send(message);
  }
}
