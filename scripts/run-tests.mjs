// Runs every test/**/*.test.ts file with node's test runner. Node 20's
// `--test` takes no glob patterns, so the files are listed here. Arguments
// filter by substring of the path: `npm test -- tokens`.
//
// Files in AFTER_SUITE run in a second pass: they read the responses that the
// first pass's HTTP clients wrote to TD_RESPONSE_LOG_DIR.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const AFTER_SUITE = ['test/openapi-responses.test.ts'];

const filters = process.argv.slice(2);
const files = readdirSync('test', { recursive: true })
  .map((name) => `test/${name}`)
  .filter((path) => path.endsWith('.test.ts'))
  .filter((path) => filters.length === 0 || filters.some((filter) => path.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`no test files match ${filters.join(', ')}`);
  process.exit(1);
}

const responseLogDir = mkdtempSync(join(tmpdir(), 'trusted-devices-responses-'));
const env = { ...process.env, TD_RESPONSE_LOG_DIR: responseLogDir };
const totals = { pass: 0, fail: 0, skipped: 0 };

/** Runs one batch, echoing its TAP output and adding its summary counts to `totals`. */
function run(batch) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...batch], {
    stdio: ['inherit', 'pipe', 'inherit'],
    env,
    maxBuffer: 256 * 1024 * 1024,
  });
  const output = result.stdout.toString();
  process.stdout.write(output);
  for (const key of Object.keys(totals)) {
    const match = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(output);
    if (match !== null) totals[key] += Number(match[1]);
  }
  return result.status ?? 1;
}

const suite = files.filter((path) => !AFTER_SUITE.includes(path));
const afterSuite = files.filter((path) => AFTER_SUITE.includes(path));
let status = suite.length > 0 ? run(suite) : 0;
if (afterSuite.length > 0) status = run(afterSuite) || status;
rmSync(responseLogDir, { recursive: true, force: true });

// One closing line over both passes, in the plain form CI readers count.
if (status !== 0 && totals.fail === 0) totals.fail = 1;
console.log(`tests: ${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(status);
