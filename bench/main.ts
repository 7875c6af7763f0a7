// `npm run bench`: drives the standalone server with autocannon and reports
// each scenario as a ratio to floors measured in the same run. See
// BENCHMARKS.md for what each mode measures and the latest results.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { BENCH_FRAMEWORKS, type BenchFramework } from './bench-apps.js';
import { BENCH_DATABASES, type BenchDatabaseKind } from './database.js';
import { describeMachine } from './machine.js';
import { checkTargets, formatMachine, formatRun } from './report.js';
import { runScale } from './scale.js';
import { SCENARIO_IDS, type ScenarioId } from './scenarios.js';
import { runSpeed } from './speed-run.js';
import { runStatementCounts } from './statement-run.js';

const USAGE = `usage: npm run bench -- [options]

  --framework <names>    comma-separated frameworks (default: all: ${BENCH_FRAMEWORKS.join(', ')})
  --db <name>            sqlite (default) or postgres
  --connections <n>      concurrent connections (default 50)
  --duration <s>         seconds measured per scenario and round (default 5)
  --warmup <s>           seconds of warm-up before each scenario and round (default 2)
  --rounds <n>           runs of each scenario, interleaved; the median counts (default 3; login runs once)
  --scenarios <ids>      comma-separated subset of: ${SCENARIO_IDS.join(', ')}
  --count-statements     count database statements per request instead of measuring speed
  --scale                run the scale check (minutes; 1,000,000 rows)
  --cpu-prof <dir>       write a V8 CPU profile of each bench server into <dir>
  --report <file>        also write the results as Markdown to <file>
  --help                 show this text`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      framework: { type: 'string' },
      db: { type: 'string', default: 'sqlite' },
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      rounds: { type: 'string', default: '3' },
      scenarios: { type: 'string' },
      'count-statements': { type: 'boolean', default: false },
      scale: { type: 'boolean', default: false },
      'cpu-prof': { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }

  const frameworks = parseList(values.framework ?? BENCH_FRAMEWORKS.join(','), BENCH_FRAMEWORKS, '--framework') as BenchFramework[];
  const database = parseList(values.db, BENCH_DATABASES, '--db')[0] as BenchDatabaseKind;
  const scenarios = parseList(values.scenarios ?? SCENARIO_IDS.join(','), SCENARIO_IDS, '--scenarios') as ScenarioId[];
  const connections = parsePositive(values.connections, '--connections');
  const durationSeconds = parsePositive(values.duration, '--duration');
  const warmupSeconds = parsePositive(values.warmup, '--warmup');
  const rounds = parsePositive(values.rounds, '--rounds');
  if (!Number.isInteger(rounds)) throw new UsageError(`Invalid --rounds value "${values.rounds}": use a whole number.`);
  const log = (line: string): void => console.error(`[bench] ${line}`);
  const machine = describeMachine();
  const command = `npm run bench -- ${argv.join(' ')}`.trim();

  let output: string;
  let failed: boolean;
  if (values.scale) {
    const scale = await runScale({ framework: frameworks[0]!, database, connections, durationSeconds, warmupSeconds, log });
    output = scale.report;
    failed = scale.failed;
  } else if (values['count-statements']) {
    const counts = await runStatementCounts({ framework: frameworks[0]!, database, scenarios, log });
    output = counts.report;
    failed = counts.failed;
  } else {
    const runs = await runSpeed({ frameworks, database, connections, durationSeconds, warmupSeconds, rounds, scenarios, cpuProfileDir: values['cpu-prof'], log });
    output = runs.map(formatRun).join('\n\n');
    failed = runs.some((run) => run.failures.size > 0);
    for (const run of runs) {
      for (const check of checkTargets(run)) if (check.ratio !== undefined && check.ratio < check.target) log(`${run.framework}: target ${check.label} ≥ ${check.target}× missed`);
    }
  }

  const report = [`Command: \`${command}\``, '', `Machine: ${formatMachine(machine)}`, '', output].join('\n');
  console.log(report);
  if (values.report !== undefined) writeFileSync(values.report, `${report}\n`);
  if (failed) log('some runs were rejected; see the table');
  return failed ? 1 : 0;
}

function parseList(raw: string, allowed: readonly string[], option: string): string[] {
  const items = raw.split(',').map((item) => item.trim()).filter((item) => item !== '');
  for (const item of items) {
    if (!allowed.includes(item)) throw new UsageError(`Invalid ${option} value "${item}": use ${allowed.join(', ')}.`);
  }
  if (items.length === 0) throw new UsageError(`Invalid ${option}: name at least one of ${allowed.join(', ')}.`);
  return items;
}

function parsePositive(raw: string, option: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`Invalid ${option} value "${raw}": use a number greater than 0.`);
  return value;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!(error instanceof UsageError) && error instanceof Error && error.stack !== undefined) console.error(error.stack);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
