import type { LoadResult } from './load.js';
import type { MachineDescription } from './machine.js';
import { SCENARIOS, type ScenarioId } from './scenarios.js';
import { medianBy, type AdapterRun } from './speed-run.js';

/** A ratio the issue of targets sets: `scenario` measured against `baseline` in the same run. */
export interface TargetCheck {
  label: string;
  /** The median over rounds of the ratio within each round. */
  ratio: number | undefined;
  /** The lowest and highest ratio of a single round, when there were several. */
  range?: [number, number];
  target: number;
}

interface TargetRule {
  scenario: ScenarioId;
  baseline: ScenarioId | 'hash';
  target: number;
  /** Frameworks the target applies to; all when absent. */
  frameworks?: readonly string[];
}

/** The targets, each a minimum ratio between two measurements of the same run. */
const TARGET_RULES: readonly TargetRule[] = [
  { scenario: 'auth', baseline: 'jwt', target: 0.85, frameworks: ['fastify'] },
  { scenario: 'auth', baseline: 'bare', target: 0.5, frameworks: ['fastify'] },
  { scenario: 'auth', baseline: 'bare', target: 0.85, frameworks: ['express'] },
  { scenario: 'list', baseline: 'auth', target: 0.5 },
  { scenario: 'verify', baseline: 'auth', target: 0.7 },
  { scenario: 'refresh', baseline: 'auth', target: 0.2 },
  { scenario: 'login', baseline: 'hash', target: 0.9 },
];

export function checkTargets(run: AdapterRun): TargetCheck[] {
  return TARGET_RULES.filter((rule) => rule.frameworks === undefined || rule.frameworks.includes(run.framework))
    .filter((rule) => run.results.has(rule.scenario) || run.failures.has(rule.scenario))
    .map((rule) => {
      const label = `${rule.scenario} / ${rule.baseline === 'hash' ? 'password hash alone' : rule.baseline}`;
      const ratios = roundRatios(run, rule);
      if (ratios.length === 0) return { label, ratio: undefined, target: rule.target };
      const sorted = [...ratios].sort((a, b) => a - b);
      return {
        label,
        ratio: medianBy(ratios, (ratio) => ratio),
        range: ratios.length > 1 ? [sorted[0]!, sorted.at(-1)!] : undefined,
        target: rule.target,
      };
    });
}

/**
 * The ratio of each round: the scenario's rate over the baseline's rate of
 * the same round, measured minutes apart at most. Login runs once, against
 * the one measurement of the hash.
 */
function roundRatios(run: AdapterRun, rule: TargetRule): number[] {
  if (run.failures.has(rule.scenario)) return [];
  const measured = (run.rounds.get(rule.scenario) ?? []).map((result) => result.requestsPerSecond);
  const baselines = rule.baseline === 'hash' ? (run.hashRate === undefined ? [] : [run.hashRate]) : (run.rounds.get(rule.baseline) ?? []).map((result) => result.requestsPerSecond);
  if (run.failures.has(rule.baseline as ScenarioId) || measured.length === 0 || baselines.length === 0) return [];
  if (measured.length !== baselines.length) {
    // Rounds that cannot pair up: compare the medians.
    const median = (rates: number[]) => medianBy(rates, (rate) => rate);
    return median(baselines) === 0 ? [] : [median(measured) / median(baselines)];
  }
  return measured.flatMap((rate, index) => (baselines[index] === 0 ? [] : [rate / baselines[index]!]));
}

export function targetVerdict(check: TargetCheck): string {
  if (check.ratio === undefined) return 'not measured';
  if (check.ratio >= check.target) return 'met';
  return `missed by ${Math.round((1 - check.ratio / check.target) * 100)}%`;
}

/** Formats the results of one framework as Markdown tables, which also read well in a terminal. */
export function formatRun(run: AdapterRun): string {
  const bare = run.results.get('bare')?.requestsPerSecond;
  const jwt = run.results.get('jwt')?.requestsPerSecond;
  const lines = [
    `### ${run.framework}, ${run.database}`,
    '',
    '| scenario | req/s | req/s of each round | p50 ms | p99 ms | × bare | × JWT floor | responses |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const scenario of SCENARIOS) {
    const result = run.results.get(scenario.id);
    const failure = run.failures.get(scenario.id);
    if (result !== undefined) {
      lines.push(
        `| ${scenario.title} | ${formatRate(result.requestsPerSecond)} | ${formatRounds(run.rounds.get(scenario.id))} | ${result.p50} | ${result.p99} | ${ratio(result, bare)} | ${ratio(result, jwt)} | ${formatStatuses(result)} |`,
      );
    } else if (failure !== undefined) {
      lines.push(`| ${scenario.title} | rejected: ${failure} | | | | | | |`);
    }
  }
  if (run.hashRate !== undefined) {
    lines.push(`| password hash alone (scrypt N=${run.scrypt.N}, r=${run.scrypt.r}, p=${run.scrypt.p}), in-process | ${formatRate(run.hashRate)} | | | | | | |`);
  }

  const checks = checkTargets(run);
  if (checks.length > 0) {
    lines.push('', '| target | measured | rounds | minimum | verdict |', '| --- | ---: | --- | ---: | --- |');
    for (const check of checks) {
      const range = check.range === undefined ? '' : `${check.range[0].toFixed(2)}–${check.range[1].toFixed(2)}×`;
      lines.push(`| ${check.label} | ${check.ratio === undefined ? '–' : `${check.ratio.toFixed(2)}×`} | ${range} | ${check.target}× | ${targetVerdict(check)} |`);
    }
  }
  return lines.join('\n');
}

export function formatMachine(machine: MachineDescription): string {
  return `${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB memory, Node ${machine.node}, load average ${machine.loadAverage} at start`;
}

function ratio(result: LoadResult, baseline: number | undefined): string {
  return baseline === undefined || baseline === 0 ? '–' : `${(result.requestsPerSecond / baseline).toFixed(2)}`;
}

function formatRounds(rounds: LoadResult[] | undefined): string {
  return rounds === undefined || rounds.length < 2 ? '' : rounds.map((round) => formatRate(round.requestsPerSecond)).join(', ');
}

function formatRate(rate: number): string {
  return rate >= 100 ? String(Math.round(rate)) : rate.toFixed(1);
}

function formatStatuses(result: LoadResult): string {
  return Object.entries(result.statusCounts)
    .map(([status, count]) => `${count}× ${status}`)
    .join(', ');
}
