import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A signing key for processes started by tests. */
export const PROCESS_SIGNING_KEY = 'process-test-signing-key-0123456789abcdef';

/** Creates an empty data folder for one server or CLI process. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'trusted-devices-process-'));
}

/**
 * Returns the parent's environment plus `extra`, without any
 * TRUSTED_DEVICES_ variable, PORT or HOST, so a developer's settings cannot
 * leak into a test.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('TRUSTED_DEVICES_') && name !== 'PORT' && name !== 'HOST') env[name] = value;
  }
  return { ...env, ...extra };
}

export interface ExitedProcess {
  code: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ChildProcess): { output: { stdout: string; stderr: string }; exited: Promise<ExitedProcess> } {
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output.stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output.stderr += chunk));
  const exited = new Promise<ExitedProcess>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...output }));
  });
  return { output, exited };
}

/** Runs the CLI to its end, with `stdin` as its standard input. */
export async function runCliProcess(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<ExitedProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, stdio: 'pipe' });
  const { exited } = collect(child);
  child.stdin.end(stdin);
  return exited;
}

export interface ServerProcess {
  child: ChildProcess;
  /** Set once the server logged "server started". */
  baseUrl: string;
  output: { stdout: string; stderr: string };
  /** Every pino line printed so far, parsed. */
  logLines(): Record<string, unknown>[];
  exited: Promise<ExitedProcess>;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<ExitedProcess>;
}

/**
 * Starts `src/server/main.ts` with PORT=0 and waits until it logs the port
 * it listens on. Rejects with the output when the process exits first.
 */
export async function startServerProcess(env: NodeJS.ProcessEnv, args: string[] = []): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', ...args], {
    env: { ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: 'pipe',
  });
  const { output, exited } = collect(child);
  const logLines = () =>
    output.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  const port = await new Promise<number>((resolve, reject) => {
    const onData = () => {
      const started = logLines().find((line) => line.msg === 'server started');
      if (started !== undefined) {
        child.stdout.off('data', onData);
        resolve(started.port as number);
      }
    };
    child.stdout.on('data', onData);
    void exited.then((result) => reject(new Error(`server exited with ${result.code}: ${result.stdout}${result.stderr}`)));
  });

  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output,
    logLines,
    exited,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
