/**
 * `npm run bench`: every stack through every scenario, three passes, each scenario run for
 * every stack in turn (order rotated), each run in its own process. Results are ratios within one pass
 * (paired), reported as medians with min and max, in bench/results/latest.{md,json}.
 */
import * as amqplib from 'amqplib';
import { spawn } from 'child_process';
import { cpus } from 'os';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { median } from './measure';
import { BROKER_URL } from './stacks/stack';
import type { Measurement, MemorySample } from './scenarios';
import type { StartupSample } from './startup';
import { Baseline, baselineName, prepareBaseline } from './baseline';
import { BaselineRow, baselineSection, compareToBaseline } from './baseline-report';

const ALL_STACKS = ['raw', 'warren', 'warren-default', 'golevelup', 'golevelup-tuned', 'nest', 'nest-tuned', 'warren-transport'];
// Targeted re-runs: BENCH_STACKS=warren,golevelup-tuned BENCH_SCENARIOS=rpc,prefetch1 BENCH_PASSES=5.
// raw amqplib always runs: it is the reference. Ratios against a stack left out print as '–'.
const chosen = process.env.BENCH_STACKS?.split(',');
// Opt-in only: raw amqplib publishing with Warren's message properties, Warren with handlers that
// take a plain object (no DTO, so no class-validator), Warren validating with a zod 4 or valibot 1
// schema instead of the DTO, raw amqplib 0.10.9 (the alias amqplib-0.10) beside raw on Warren's 2.x,
// and warren-baseline: Warren built at BENCH_BASELINE_REF (default main before issue 22, see
// baseline.ts); with `warren` beside it the report adds Warren ÷ baseline per scenario
// (`npm run bench:compare`).
const OPT_IN_STACKS = ['raw-props', 'warren-plain', 'warren-zod', 'warren-valibot', 'raw-0.10', 'warren-baseline'];
const STACK_IDS = chosen ? [...ALL_STACKS, ...OPT_IN_STACKS].filter((id) => id === 'raw' || chosen.includes(id)) : ALL_STACKS;
const NAMES: Record<string, string> = {
  raw: 'raw amqplib (noDelay)',
  'raw-0.10': 'raw amqplib 0.10.9 (noDelay)',
  'raw-props': "raw amqplib + Warren's message properties",
  warren: 'Warren',
  'warren-default': 'Warren (default configuration)',
  'warren-plain': 'Warren (default configuration, no DTO)',
  'warren-zod': 'Warren (default configuration, zod 4 schema)',
  'warren-valibot': 'Warren (default configuration, valibot 1 schema)',
  golevelup: 'golevelup (as shipped)',
  'golevelup-tuned': 'golevelup (noDelay)',
  nest: 'Nest RMQ (as shipped)',
  'nest-tuned': 'Nest RMQ (noDelay)',
  'warren-transport': 'Warren as a Nest transport',
  'warren-baseline': 'Warren baseline',
};
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const ALL_SCENARIOS = ['pub50', 'pub1', 'batch', 'consume', 'rpc', 'e2e256', 'e2e4k', 'e2e64k', 'prefetch1', 'prefetch10', 'prefetch100', 'prefetch500'];
const SCENARIO_KEYS = process.env.BENCH_SCENARIOS ? ALL_SCENARIOS.filter((key) => process.env.BENCH_SCENARIOS!.split(',').includes(key)) : ALL_SCENARIOS;
const ROOT = join(__dirname, '..', '..');
const RESULTS = join(ROOT, 'bench', 'results');

function worker(id: string, mode: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', join(__dirname, 'worker.js'), id, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000); // a worker never runs longer
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)));
      else reject(new Error(`worker ${id} ${mode} exited with ${code}`));
    });
  });
}

/** The benchmarked broker's versions, as it announces them to a client (no rabbitmqctl: it may drive another node). */
async function brokerVersions(): Promise<{ version: string; platform: string }> {
  try {
    const connection = await amqplib.connect(BROKER_URL, { timeout: 10_000 });
    const { version, platform } = connection.connection.serverProperties;
    await connection.close();
    return { version: String(version ?? ''), platform: String(platform ?? '') };
  } catch {
    return { version: '', platform: '' };
  }
}

async function machine() {
  const broker = await brokerVersions();
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    rabbitmq: broker.version || 'unknown',
    erlang: /Erlang\/OTP (\d+)/.exec(broker.platform)?.[1] ?? 'unknown',
    date: new Date().toISOString(),
  };
}

const fmt = (value: number, unit: string) => (unit === 'ms' ? value.toFixed(2) : Math.round(value).toLocaleString('en-US'));
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '–');

async function main() {
  const started = Date.now();
  const info = await machine();
  let baseline: Baseline | undefined;
  if (STACK_IDS.includes('warren-baseline')) {
    // Checked out, installed and built once, before any pass: no worker pays for it.
    baseline = prepareBaseline(ROOT, (line) => process.stdout.write(`${line}\n`));
    NAMES['warren-baseline'] = baselineName(baseline);
  }
  process.stdout.write(`Warren benchmark: ${info.cores} cores, Node ${info.node}, RabbitMQ ${info.rabbitmq}, Erlang ${info.erlang}\n`);
  // passes[p][id] = measurements
  const passes: Array<Record<string, Measurement[]>> = [];
  const passesStarted = Date.now();
  // Scenario-major: the stacks run one after another on the same scenario (rotated each pass),
  // so each ratio compares runs minutes apart at most, not a whole pass apart.
  for (let pass = 0; pass < PASSES; pass++) {
    const results: Record<string, Measurement[]> = Object.fromEntries(STACK_IDS.map((id) => [id, []]));
    for (const [s, key] of SCENARIO_KEYS.entries()) {
      const order = STACK_IDS.map((_, i) => STACK_IDS[(i + pass + s) % STACK_IDS.length]);
      process.stdout.write(`pass ${pass + 1}/${PASSES}: ${key}\n`);
      for (const id of order) results[id].push(...(await worker(id, key)).results);
    }
    passes.push(results);
    // The passes so far say how long one takes; memory and start-up runs come after and are not counted.
    const perPass = (Date.now() - passesStarted) / (pass + 1);
    const left = PASSES - pass - 1;
    if (left > 0) process.stdout.write(`pass ${pass + 1}/${PASSES} done in ${formatMinutes(perPass)}; about ${formatMinutes(perPass * left)} left for ${left} more pass(es), then memory and start-up runs\n`);
  }
  const memoryRuns: Record<string, MemorySample[]> = {};
  // A run filtered to some scenarios skips the memory run unless BENCH_MEMORY=1.
  const withMemory = !process.env.BENCH_SCENARIOS || process.env.BENCH_MEMORY === '1';
  for (const id of withMemory ? STACK_IDS : []) {
    process.stdout.write(`memory: ${NAMES[id]}...\n`);
    memoryRuns[id] = (await worker(id, 'memory')).memory;
  }

  // Start-up against the number of handler queues: Warren only, once per pass, in its own process.
  const withStartup = !process.env.BENCH_SCENARIOS || process.env.BENCH_SCENARIOS.split(',').includes('startup');
  const startupRuns: StartupSample[][] = [];
  for (let pass = 0; withStartup && pass < PASSES; pass++) {
    process.stdout.write(`start-up cost, pass ${pass + 1}/${PASSES}...\n`);
    startupRuns.push((await worker('warren', 'startup')).startup);
  }

  const scenarios = passes[0].raw.map((m) => m.scenario);
  const rows = [];
  for (const scenario of scenarios) {
    for (const id of STACK_IDS) {
      const values = passes.map((p) => p[id].find((m) => m.scenario === scenario)!);
      const unit = values[0].unit;
      // Paired: each pass's ratio against that same pass's reference.
      const against = (ref: string) =>
        !STACK_IDS.includes(ref)
          ? NaN
          : median(
          passes.map((p) => {
            const mine = p[id].find((m) => m.scenario === scenario)!.value;
            const theirs = p[ref].find((m) => m.scenario === scenario)!.value;
            return mine / theirs;
          }),
        );
      // CPU per operation, paired per pass against raw amqplib's in the same pass.
      const nodeUsVsRaw = !STACK_IDS.includes('raw')
        ? NaN
        : median(
            passes.map((p) => {
              const mine = p[id].find((m) => m.scenario === scenario)?.cpuUs?.node ?? NaN;
              const theirs = p.raw.find((m) => m.scenario === scenario)?.cpuUs?.node ?? NaN;
              return mine / theirs;
            }),
          );
      rows.push({
        scenario,
        nodeUs: median(values.map((v) => v.cpuUs?.node ?? NaN)),
        brokerUs: median(values.map((v) => v.cpuUs?.broker ?? NaN)),
        nodeUsVsRaw,
        stack: NAMES[id],
        id,
        unit,
        median: median(values.map((v) => v.value)),
        min: Math.min(...values.map((v) => v.value)),
        max: Math.max(...values.map((v) => v.value)),
        vsRaw: against('raw'),
        vsGolevelup: against('golevelup'),
        vsGolevelupTuned: against('golevelup-tuned'),
        vsNest: against('nest'),
        vsNestTuned: against('nest-tuned'),
        brokerCpu: median(values.map((v) => v.cpu?.broker ?? NaN)),
        nodeCpu: median(values.map((v) => v.cpu?.node ?? NaN)),
        values: values.map((v) => v.value),
        notes: values.map((v) => v.note).filter(Boolean),
      });
    }
  }

  const lines: string[] = [];
  lines.push('# Warren benchmark results', '');
  lines.push(`Machine: ${info.cores} cores (${info.cpu}), Node ${info.node}, RabbitMQ ${info.rabbitmq}, Erlang/OTP ${info.erlang}; ${info.date}.`);
  lines.push(`${PASSES} passes, stacks in rotated order each pass, each stack in its own process; median [min–max] of the passes.`);
  lines.push('Ratios are paired per pass and then the median is taken. For ms rows lower is better, so a ratio below 1 means faster.');
  lines.push('Body: a JSON order event of about 256 bytes unless the row says otherwise. CPU: % of one core for the broker (beam.smp) and the benchmark process.', '');
  lines.push('CPU µs/op: CPU time per message (or call) of the benchmark process (node, publisher and consumer together where both run) and of the broker; × raw compares node CPU per op, paired per pass. These move far less between passes than throughput does.', '');
  lines.push('| scenario | stack | CPU µs/op node / broker | node CPU × raw | median | min–max | × raw | × golevelup (shipped / noDelay) | × Nest RMQ (shipped / noDelay) | CPU % broker / node |');
  lines.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const us = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');
  for (const row of rows) {
    const unit = row.unit;
    const cpu = Number.isFinite(row.brokerCpu) ? `${Math.round(row.brokerCpu)}% / ${Math.round(row.nodeCpu)}%` : '';
    const note = row.notes.length ? ` (${row.notes[0]})` : '';
    lines.push(
      `| ${row.scenario} | ${row.stack} | ${us(row.nodeUs)} / ${us(row.brokerUs)} | ${ratio(row.nodeUsVsRaw)} | ${fmt(row.median, unit)} ${unit}${note} | ${fmt(row.min, unit)}–${fmt(row.max, unit)} | ${ratio(row.vsRaw)} | ` +
        `${ratio(row.vsGolevelup)} / ${ratio(row.vsGolevelupTuned)} | ${ratio(row.vsNest)} / ${ratio(row.vsNestTuned)} | ${cpu} |`,
    );
  }
  let compared: BaselineRow[] | undefined;
  if (baseline && STACK_IDS.includes('warren')) {
    compared = compareToBaseline(passes, scenarios);
    lines.push(...baselineSection(compared, `${NAMES['warren-baseline']}, ${baseline.sha}`));
  }
  if (Object.keys(memoryRuns).length > 0) {
    lines.push('', '## Memory: 200,000 messages through publish → consume in one process', '');
    // The target is read from 40k on: the first 40k include the allocator's and V8's warm-up.
    lines.push('| stack | RSS MiB at 20k / 40k / 200k | RSS from 40k | heap MiB at 20k / 40k / 200k (after GC) | heap from 40k |');
    lines.push('| --- | --- | ---: | --- | ---: |');
    const change = (from: number, to: number) => `${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)}%`;
    for (const id of Object.keys(memoryRuns)) {
      const samples = memoryRuns[id];
      const first = samples[0];
      const last = samples[samples.length - 1];
      const base = samples[Math.min(1, samples.length - 1)];
      lines.push(
        `| ${NAMES[id]} | ${first.rssMb.toFixed(0)} / ${base.rssMb.toFixed(0)} / ${last.rssMb.toFixed(0)} | ${change(base.rssMb, last.rssMb)} | ` +
          `${first.heapMb.toFixed(1)} / ${base.heapMb.toFixed(1)} / ${last.heapMb.toFixed(1)} | ${change(base.heapMb, last.heapMb)} |`,
      );
    }
  }
  if (startupRuns.length > 0) {
    lines.push('', '## Start-up against the number of handler queues (Warren; a channel each, 1,000 per connection)', '');
    lines.push('| handler queues | start (init) ms | RSS added MiB | close ms |');
    lines.push('| ---: | ---: | ---: | ---: |');
    for (const [i, sample] of startupRuns[0].entries()) {
      const of = (pick: (s: StartupSample) => number) => median(startupRuns.map((run) => pick(run[i])));
      lines.push(`| ${sample.handlers.toLocaleString('en-US')} | ${Math.round(of((s) => s.startMs))} | ${of((s) => s.rssMb).toFixed(0)} | ${Math.round(of((s) => s.closeMs))} |`);
    }
  }
  const filters = ['BENCH_STACKS', 'BENCH_SCENARIOS', 'BENCH_PASSES', 'BENCH_QUICK', 'BENCH_MEMORY', 'BENCH_BASELINE_REF', 'BENCH_OUT']
    .filter((name) => process.env[name])
    .map((name) => `${name}=${process.env[name]} `)
    .join('');
  // bench:compare sets its filters itself: name the script, not the variables it set.
  const command = process.env.npm_lifecycle_event === 'bench:compare'
    ? `${process.env.BENCH_BASELINE_REF ? `BENCH_BASELINE_REF=${process.env.BENCH_BASELINE_REF} ` : ''}npm run bench:compare`
    : `${filters}npm run bench`;
  lines.push('', `Reproduce: \`${command}\` (about ${Math.round((Date.now() - started) / 60_000)} minutes on this machine).`, '');
  const markdown = lines.join('\n');
  process.stdout.write(`\n${markdown}\n`);
  mkdirSync(RESULTS, { recursive: true });
  // Only a full run replaces the committed results; quick or filtered runs go to partial.*.
  // BENCH_OUT names the files of a run kept on purpose (bench:compare writes compare-baseline.*).
  const name = process.env.BENCH_OUT || (chosen || process.env.BENCH_SCENARIOS || process.env.BENCH_QUICK ? 'partial' : 'latest');
  writeFileSync(join(RESULTS, `${name}.md`), markdown);
  writeFileSync(join(RESULTS, `${name}.json`), JSON.stringify({ machine: info, passes: PASSES, baseline, compared, rows, memory: memoryRuns, startup: startupRuns }, null, 2));
}

main().catch((error: unknown) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

/** `42 s`, `3.5 min`: for the estimate of time left. */
function formatMinutes(ms: number): string {
  return ms < 90_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 60_000).toFixed(1)} min`;
}
