// The standalone server as the benchmarks run it: the production runtime and
// app, plus the floor routes, in a process of its own. It reports its port
// and answers statistics requests over the IPC channel of `child_process.fork`.
import { pino } from 'pino';

import { openRuntime } from '../src/server/runtime.js';
import { BENCH_FRAMEWORKS, listenBenchApp, type BenchFramework } from './bench-apps.js';
import type { BenchServerMessage, DriverMessage } from './server-protocol.js';
import { StatementCounter } from './statement-counter.js';

async function main(): Promise<void> {
  const env = process.env;
  const framework = (env.TRUSTED_DEVICES_FRAMEWORK ?? 'express') as BenchFramework;
  if (!BENCH_FRAMEWORKS.includes(framework)) throw new Error(`Unknown framework "${framework}": use one of ${BENCH_FRAMEWORKS.join(', ')}.`);
  const signingKey = env.TRUSTED_DEVICES_SIGNING_KEY;
  if (signingKey === undefined) throw new Error('TRUSTED_DEVICES_SIGNING_KEY is not set; the bench driver sets it.');

  const logger = pino({ level: env.TRUSTED_DEVICES_LOG_LEVEL ?? 'warn' });
  const counter = env.BENCH_COUNT_STATEMENTS === '1' ? new StatementCounter() : undefined;
  const runtime = await openRuntime({ env, logger, demo: false, requireSigningKey: true, serveLogins: true, queryLog: counter?.log });
  const server = await listenBenchApp(framework, runtime.td, signingKey, '127.0.0.1', 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The server has no TCP address.');

  const send = (message: BenchServerMessage): void => {
    process.send!(message);
  };
  process.on('message', (message: DriverMessage) => {
    switch (message.type) {
      case 'stats': {
        if (message.collectGarbage === true) globalThis.gc?.();
        const memory = process.memoryUsage();
        send({ type: 'stats', statements: counter?.take(), rss: memory.rss, heapUsed: memory.heapUsed });
        break;
      }
      case 'stop':
        server.closeAllConnections();
        server.close(() => {
          void runtime.close().then(() => process.exit(0));
        });
        break;
    }
  });
  // The driver's exit closes the channel; never outlive it.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'listening', port: address.port });
}

main().catch((error: unknown) => {
  console.error(`bench server failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
