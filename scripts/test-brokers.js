#!/usr/bin/env node
/**
 * `npm run test:brokers`: the README's test suite (its jest part, after one build) against each broker
 * of the matrix (scripts/brokers.js) in turn, with that broker's environment, while the machine's
 * default broker is watched to prove the runs never touched it. Prints per-version figures and every
 * failing test with its error; exits 1 when a test failed or the default broker was disturbed.
 *
 *   node scripts/test-brokers.js [4.0|4.3|all] [--disruptive] [--no-build] [--keep] [-- <jest arguments>]
 *
 * --disruptive runs only the files that stop, alarm, reconfigure or force-close (the isolation proof,
 * `npm run test:isolation`); --keep leaves brokers this run started running. The report is also
 * written as JSON to $WARREN_BROKERS_REPORT (default <tmp>/warren-test-brokers.json).
 */
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const brokers = require('./brokers');
const { brokersOf } = require('./brokers/matrix');
const { CliTripwire } = require('./brokers/cli-tripwire');
const { DefaultNodeWatch, disruptionsSince, sizeOf } = require('./brokers/default-watch');
const { summarize, format } = require('./brokers/jest-report');
const { log } = require('./brokers/system');

const ROOT = path.join(__dirname, '..');
const RUN_TIMEOUT_MS = Number(process.env.WARREN_BROKERS_RUN_TIMEOUT_MS || 1_200_000);
const REPORT = process.env.WARREN_BROKERS_REPORT || path.join(os.tmpdir(), 'warren-test-brokers.json');
/** The tests that stop, restart, alarm, reconfigure the broker or close its connections. */
const DISRUPTIVE = ['test/(chaos-[a-z]+|health|connections|tls|reconnect|shutdown|faults|faults-target)\\.e2e-spec\\.ts$', 'apps/topic-consumer/test/'];
/** Variables that point tests at a broker: a parent's value must never leak into another broker's run. */
const TARGET_VARS = ['RABBITMQ_URL', 'RABBITMQ_NODENAME', 'WARREN_RABBITMQCTL', 'WARREN_MANAGEMENT_URL', 'WARREN_BROKER_PORT', 'WARREN_TLS_PORT', 'WARREN_TLS_DIR', 'WARREN_TLS_DIR_IN_BROKER'];

function environment(brokerEnv) {
  const env = { ...process.env };
  for (const name of TARGET_VARS) delete env[name];
  return { ...env, ...brokerEnv };
}

/** One jest run, bounded in time (the whole process group is killed past it); resolves its summary or undefined. */
function runJest(id, env, patterns, watch) {
  const output = path.join(os.tmpdir(), `warren-jest-${id}.json`);
  fs.rmSync(output, { force: true });
  const jest = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [jest, '--runInBand', '--json', `--outputFile=${output}`, ...patterns], { cwd: ROOT, env, stdio: 'inherit', detached: true });
    watch.track(child.pid);
    const timer = setTimeout(() => {
      log(`${id}: jest ran over ${RUN_TIMEOUT_MS} ms; killing it`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, RUN_TIMEOUT_MS);
    child.on('exit', () => {
      clearTimeout(timer);
      try {
        resolve(summarize(output));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** How often the target itself saw each kind of disruption (its own log). */
function targetText(result) {
  const died = result.aliveAfter ? '' : `\n  THE BROKER WAS NOT RUNNING AT THE END of its run: failures after it stopped are its, not Warren's (see ${result.logFile ?? 'its log'})`;
  if (!result.disruptions) return died;
  const kinds = { 'stop_app': /Stopping RabbitMQ applications/, 'alarm': /alarm set/, 'listener change': /listener on/, 'forced close': /Closing connection/ };
  const counts = Object.entries(kinds).map(([kind, pattern]) => `${result.disruptions.filter((l) => pattern.test(l)).length} ${kind}`);
  return `  on the target itself (its log): ${counts.join(', ')}${died}`;
}

function isolationText(result) {
  const calls = result.cliCalls.length > 0 ? [`Host RabbitMQ tools called (refused): ${result.cliCalls.length}`, ...result.cliCalls.map((c) => `  ${c}`)] : [];
  if (calls.length > 0) return [`Default broker: this run tried to drive it with the host's tools`, ...calls, ...(result.contacts ?? []).map((c) => `  ${c}`)].join('\n');
  if (!result.watched) return `Default broker: not watched (${result.reason ?? 'none here'}); no host rabbitmqctl call`;
  const contact = result.socketsWatched
    ? `${result.contacts.length} connection(s) from this run's processes to its ports`
    : 'connections not attributable here (no `ss`)';
  const seen = [...result.events.map((e) => `  ${e}`), ...result.logLines.slice(0, 20).map((l) => `  log: ${l}`)];
  if (result.clean && seen.length === 0) {
    return `Default broker ${result.node}: untouched since ${result.since}: no stop_app, alarm, listener change or forced close; ${contact}; no host rabbitmqctl call (listeners ${result.listeners})`;
  }
  if (result.clean) {
    return [
      `Default broker ${result.node}: not touched by this run (${contact}; no host rabbitmqctl call); ${result.otherProcesses} other process(es) used it meanwhile, and it showed:`,
      ...seen,
    ].join('\n');
  }
  const why = result.contacts.length > 0 ? `this run's processes connected to it` : 'no other process used it, so it counts as this run';
  return [`Default broker ${result.node}: DISTURBED during the run (${why}; ${contact})`, ...result.contacts.map((c) => `  ${c}`), ...seen].join('\n');
}

async function main(argv) {
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const id = own.find((arg) => !arg.startsWith('--')) ?? 'all';
  const patterns = split >= 0 ? argv.slice(split + 1) : own.includes('--disruptive') ? DISRUPTIVE : [];
  const started = [];
  try {
    for (const broker of brokersOf(id)) started.push(...(await brokers.up(broker.id)));
  } catch (error) {
    for (const broker of started.filter((b) => b.startedNow)) await brokers.down(broker.id);
    throw error;
  }
  const results = [];
  const watch = new DefaultNodeWatch();
  const tripwire = new CliTripwire();
  try {
    if (!own.includes('--no-build')) {
      const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 600_000 });
      if (build.status !== 0) throw new Error('npm run build failed');
    }
    await watch.start();
    for (const broker of started) {
      log(`${broker.id}: running the suite against ${broker.env.RABBITMQ_URL.replace(/:[^:@/]*@/, ':***@')} (${broker.env.RABBITMQ_NODENAME})`);
      const at = Date.now();
      const logOffset = sizeOf(broker.logFile);
      const summary = await runJest(broker.id, tripwire.arm(environment(broker.env)), patterns, watch);
      // What the tests did to the broker they were pointed at: the disruptions landed there.
      const disruptions = disruptionsSince(broker.logFile, logOffset);
      const aliveAfter = await brokers.running(broker.id);
      results.push({ id: broker.id, version: broker.version, durationMs: Date.now() - at, provisionMs: broker.provisionMs, startMs: broker.startMs, summary, disruptions, aliveAfter, logFile: broker.logFile });
    }
  } finally {
    const isolation = await watch.stop();
    isolation.cliCalls = tripwire.disarm();
    if (isolation.cliCalls.length > 0) isolation.clean = false;
    if (!own.includes('--keep')) for (const broker of started.filter((b) => b.startedNow)) await brokers.down(broker.id);
    const text = [...results.map((r) => `${format(r.id, r.summary, r.durationMs)}\n${targetText(r)}`), isolationText(isolation)].join('\n\n');
    process.stdout.write(`\n== Broker matrix\n${text}\n`);
    fs.writeFileSync(REPORT, JSON.stringify({ results, isolation }, null, 2));
    log(`report written to ${REPORT}`);
    const failed = results.some((r) => !r.summary || !r.aliveAfter || r.summary.failed > 0 || r.summary.failures.length > 0) || !isolation.clean;
    process.exitCode = failed ? 1 : 0;
  }
}

main(process.argv.slice(2)).catch((error) => {
  log(error.message);
  process.exit(1);
});
