// Runs every test/**/*.test.ts file with node's test runner. Node 20's
// `--test` takes no glob patterns, so the files are listed here. Arguments
// filter by substring of the path: `npm test -- tokens`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

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
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
