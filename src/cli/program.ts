import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';

import type { Logger } from '../contracts.js';
import { openRuntime, type Runtime } from '../server/runtime.js';
import { readFirstLine } from './read-stdin.js';

export interface CliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs the command line and returns the exit code: 0 on success, 1 when the
 * command failed, 2 for a usage error. Only the entry point exits the process.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const logger: Logger = pino({ level: io.env.TRUSTED_DEVICES_LOG_LEVEL ?? 'warn' }, pino.destination(2));

  /** Opens the database configured by the environment, runs the action, closes it. */
  const withRuntime = async (action: (runtime: Runtime) => Promise<number>): Promise<void> => {
    let runtime: Runtime | undefined;
    try {
      runtime = await openRuntime({ env: io.env, logger, demo: false, requireSigningKey: false });
      exitCode = await action(runtime);
    } catch (error) {
      io.stderr(`error: ${error instanceof Error ? error.message : String(error)}`);
      exitCode = 1;
    } finally {
      await runtime?.close();
    }
  };

  const program = new Command()
    .name('trusted-devices')
    .description('Trusted device management for JWT authentication. Reads its settings from TRUSTED_DEVICES_* environment variables.')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text.trimEnd()), writeErr: (text) => io.stderr(text.trimEnd()) });

  program
    .command('migrate')
    .description('create or update the tables in the configured database')
    .action(() =>
      withRuntime((runtime) => {
        io.stdout(`database is up to date: ${runtime.databasePath}`);
        return Promise.resolve(0);
      }),
    );

  program
    .command('serve')
    .description('start the HTTP server (same as npm start)')
    .option('--demo', 'generate and keep a signing key, and create the demo user')
    .option('--framework <name>', 'HTTP framework: express (default), fastify or hono')
    .action(async (options: { demo?: boolean; framework?: string }) => {
      // Loaded here so the other commands start without the HTTP frameworks.
      const { serve } = await import('../server/main.js');
      const argv = [...(options.demo === true ? ['--demo'] : []), ...(options.framework === undefined ? [] : ['--framework', options.framework])];
      exitCode = await serve(argv, io.env);
    });

  program
    .command('cleanup')
    .description('remove devices not seen within the refresh token lifetime, or within --days')
    .option('--days <days>', 'remove devices not seen for this many days', parsePositiveNumber)
    .option('--dry-run', 'only count the devices that would be removed')
    .option('--batch-size <count>', 'devices removed per transaction (default 1000)', parsePositiveInteger)
    .action((options: { days?: number; dryRun?: boolean; batchSize?: number }) =>
      withRuntime(async ({ td }) => {
        const result = await td.cleanupStaleDevices({
          ...(options.days === undefined ? {} : { olderThan: options.days * 86400 }),
          dryRun: options.dryRun === true,
          ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        });
        const since = new Date(result.seenBefore).toISOString();
        io.stdout(result.dryRun ? `${result.count} devices not seen since ${since} would be removed` : `removed ${result.count} devices not seen since ${since}`);
        return 0;
      }),
    );

  const users = program.command('users').description('manage the built-in users table of the standalone server');
  users
    .command('create <username>')
    .description('create a user; the password is read from the first line of standard input')
    .action((username: string) =>
      withRuntime(async (runtime) => {
        const password = await readFirstLine(io.stdin);
        if (password === undefined) {
          io.stderr('error: pipe the password on standard input, for example: printf "%s\\n" "$PASSWORD" | trusted-devices users create alice');
          return 2;
        }
        const user = await runtime.users.createUser(username, password);
        io.stdout(`created user ${user.username} (id ${user.id})`);
        return 0;
      }),
    );
  users
    .command('list')
    .description('list users')
    .action(() =>
      withRuntime(async (runtime) => {
        for (const user of await runtime.users.listUsers()) {
          io.stdout(`${user.id}  ${user.username}  ${user.isActive ? 'active' : 'inactive'}`);
        }
        return 0;
      }),
    );
  for (const [name, active] of [['activate', true], ['deactivate', false]] as const) {
    users
      .command(`${name} <username>`)
      .description(active ? 'allow a user to sign in again' : 'block a user and sign out all of their devices')
      .action((username: string) =>
        withRuntime(async (runtime) => {
          const user = await runtime.users.findByUsername(username);
          if (user === undefined || !(await runtime.users.setActive(username, active))) {
            io.stderr(`error: no user named ${quote(username)}`);
            return 1;
          }
          const revoked = active ? 0 : await runtime.td.revokeAllDevices(user.id);
          io.stdout(`${active ? 'activated' : 'deactivated'} ${username}${active ? '' : `; signed out ${revoked} devices`}`);
          return 0;
        }),
      );
  }
  users
    .command('delete <username>')
    .description('delete a user and sign out all of their devices')
    .action((username: string) =>
      withRuntime(async (runtime) => {
        const id = await runtime.users.deleteUser(username);
        if (id === undefined) {
          io.stderr(`error: no user named ${quote(username)}`);
          return 1;
        }
        const revoked = await runtime.td.revokeAllDevices(id);
        io.stdout(`deleted ${username}; signed out ${revoked} devices`);
        return 0;
      }),
    );

  const devices = program.command('devices').description('inspect and sign out devices');
  devices
    .command('list <username>')
    .description("list a user's devices, most recently seen first")
    .action((username: string) =>
      withRuntime(async (runtime) => {
        const user = await runtime.users.findByUsername(username);
        if (user === undefined) {
          io.stderr(`error: no user named ${quote(username)}`);
          return 1;
        }
        for (const device of await runtime.td.store.listDevices(user.id)) {
          io.stdout(`${device.deviceUid}  ${device.name}  ${device.lastIp}  last seen ${new Date(device.lastSeen).toISOString()}`);
        }
        return 0;
      }),
    );
  devices
    .command('revoke <device_uid>')
    .description('sign out one device')
    .action((deviceUid: string) =>
      withRuntime(async ({ td }) => {
        const device = UUID_PATTERN.test(deviceUid) ? await td.store.findDevice(deviceUid.toLowerCase()) : undefined;
        if (device === undefined) {
          io.stderr(`error: no device with device_uid ${quote(deviceUid)}`);
          return 1;
        }
        await td.revokeDevice(device.userId, device.deviceUid);
        io.stdout(`signed out device ${device.deviceUid}`);
        return 0;
      }),
    );
  devices
    .command('revoke-all <username>')
    .description('sign out every device of a user')
    .action((username: string) =>
      withRuntime(async (runtime) => {
        const user = await runtime.users.findByUsername(username);
        if (user === undefined) {
          io.stderr(`error: no user named ${quote(username)}`);
          return 1;
        }
        io.stdout(`signed out ${await runtime.td.revokeAllDevices(user.id)} devices of ${username}`);
        return 0;
      }),
    );

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    // commander reports --help and --version as exit code 0 errors.
    return code === 0 ? 0 : 2;
  }
  return exitCode;
}

function parsePositiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new InvalidArgumentError('Use a number of 0 or more.');
  return number;
}

function parsePositiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 1) throw new InvalidArgumentError('Use a whole number of at least 1.');
  return number;
}

/** Quotes a user-supplied value for an error line, escaping control characters that could drive the terminal. */
function quote(value: string): string {
  return JSON.stringify(value);
}
