import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A standalone server started as its own process with `node --import tsx src/server/main.ts`. */
export interface ServerProcess {
  baseUrl: string;
  /** Every JSON log line it wrote so far. */
  logs: { msg?: string; [field: string]: unknown }[];
  stop(): Promise<void>;
}

/** Maximum wait for the "server started" line, in milliseconds, because tsx compiles the sources on the first start. */
const START_TIMEOUT_MS = 30_000;

/** Starts the standalone server on an ephemeral port of 127.0.0.1 with the given environment. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', TRUSTED_DEVICES_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: ServerProcess['logs'] = [];
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process did not start in time')), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`server process exited with ${code} before it started; logs: ${JSON.stringify(logs)}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as ServerProcess['logs'][number]);
      } catch {
        return;
      }
      const last = logs.at(-1)!;
      if (last.msg === 'server started') {
        clearTimeout(timer);
        resolve(Number(last.port));
      }
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    logs,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
