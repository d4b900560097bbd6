/**
 * The report's "Warren ÷ baseline" section: per scenario, this checkout's Warren against the same
 * stack on the baseline build, paired per pass (both ran within minutes of each other in a pass).
 */
import { median } from './measure';
import type { Measurement } from './scenarios';

export interface BaselineRow {
  scenario: string;
  unit: Measurement['unit'];
  /** Per pass, Warren's value ÷ the baseline's (for ms rows lower is better). */
  value: number[];
  /** Per pass, Warren's node CPU µs/op ÷ the baseline's. */
  nodeUs: number[];
  /** Per pass, the broker's CPU µs/op during Warren's run ÷ during the baseline's. */
  brokerUs: number[];
  warrenNodeUs: number;
  baselineNodeUs: number;
  warrenValue: number;
  baselineValue: number;
}

type Pass = Record<string, Measurement[]>;

export function compareToBaseline(passes: Pass[], scenarios: string[], mine = 'warren', base = 'warren-baseline'): BaselineRow[] {
  const pick = (pass: Pass, id: string, scenario: string) => pass[id].find((m) => m.scenario === scenario);
  return scenarios.map((scenario) => {
    const pairs = passes.map((pass) => [pick(pass, mine, scenario), pick(pass, base, scenario)] as const);
    const per = (read: (m: Measurement | undefined) => number) => pairs.map(([a, b]) => read(a) / read(b));
    const mid = (index: 0 | 1, read: (m: Measurement | undefined) => number) => median(pairs.map((pair) => read(pair[index])));
    const value = (m?: Measurement) => m?.value ?? NaN;
    const node = (m?: Measurement) => m?.cpuUs?.node ?? NaN;
    const broker = (m?: Measurement) => m?.cpuUs?.broker ?? NaN;
    return {
      scenario,
      unit: pairs[0][0]?.unit ?? 'msgs/s',
      value: per(value),
      nodeUs: per(node),
      brokerUs: per(broker),
      warrenNodeUs: mid(0, node),
      baselineNodeUs: mid(1, node),
      warrenValue: mid(0, value),
      baselineValue: mid(1, value),
    };
  });
}

const spread = (values: number[]) => {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  return `${median(finite).toFixed(2)}× [${Math.min(...finite).toFixed(2)}–${Math.max(...finite).toFixed(2)}]`;
};
const us = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const amount = (value: number, unit: string) => (unit === 'ms' ? value.toFixed(2) : Math.round(value).toLocaleString('en-US'));

export function baselineSection(rows: BaselineRow[], baselineName: string): string[] {
  const lines = ['', `## Warren ÷ ${baselineName}, paired per pass`, ''];
  lines.push(
    'Each cell is the median of the per-pass ratios [min–max]. Throughput: above 1 means Warren is faster (for ms rows below 1 does). ' +
      'CPU µs/op: below 1 means Warren spends less CPU per message (node: the benchmark process; broker: beam.smp during the run).',
    '',
  );
  lines.push('| scenario | Warren / baseline (median) | value ÷ baseline | node CPU µs/op Warren / baseline | node CPU/op ÷ baseline | broker CPU/op ÷ baseline | per-pass value ratios |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    lines.push(
      `| ${row.scenario} | ${amount(row.warrenValue, row.unit)} / ${amount(row.baselineValue, row.unit)} ${row.unit} | ${spread(row.value)} | ` +
        `${us(row.warrenNodeUs)} / ${us(row.baselineNodeUs)} | ${spread(row.nodeUs)} | ${spread(row.brokerUs)} | ${row.value.map((v) => v.toFixed(2)).join(', ')} |`,
    );
  }
  return lines;
}
