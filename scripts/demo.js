#!/usr/bin/env node
/**
 * The sample apps, end to end: starts topic-consumer, rpc-server, gateway, golevelup-app, the
 * components and the registry (built in dist/), drives one scenario through the gateway's HTTP API, checks what each service did, stops every
 * app with SIGTERM and exits 0 only when everything behaved. Every wait has a deadline.
 * Run it with `npm run demo` (which ensures a broker and builds first); DEMO_VERBOSE=1 echoes
 * the apps' logs as they come, otherwise they are shown only when a check fails.
 */
const { spawn, spawnSync } = require('child_process');
const net = require('net');
const path = require('path');
const { randomBytes } = require('crypto');

const ROOT = path.join(__dirname, '..');
const RUN = randomBytes(3).toString('hex'); // the queues are durable and shared: only this run's ids count
const START_TIMEOUT_MS = 30_000;
const EVENTS_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 15_000;
const HTTP_TIMEOUT_MS = 10_000;
const ORDER_EVENTS = 'warren.demo.order-events';
const ORDER_FAILURES = 'warren.demo.order-failures';

const results = [];
const children = [];

const say = (line) => process.stdout.write(`${line}\n`);
const check = (ok, what, detail = '') => {
  results.push(ok);
  say(`  ${ok ? '✓' : '✗'} ${what}${detail ? ` — ${detail}` : ''}`);
  return ok;
};

/** A port nobody listens on right now: the OS picks it for a throwaway server. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts one app; collects its output lines (prefixed, echoed with DEMO_VERBOSE) for the checks. */
function start(name, env = {}, script = path.join('dist', 'apps', name, 'src', 'main.js')) {
  const child = spawn(process.execPath, [path.join(ROOT, script)], {
    cwd: ROOT,
    // Colour codes only help a terminal; they would clutter a CI log.
    env: { ...process.env, ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { name, child, lines: [], log: [], exit: undefined, exitedAt: undefined };
  app.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      app.exit = { code, signal };
      app.exitedAt = Date.now();
      resolve(app.exit);
    }),
  );
  const collect = (stream, label) => {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) {
        if (label === 'out') app.lines.push(line); // the machine-readable lines are on stdout
        const prefixed = `    [${name}${label === 'err' ? ' stderr' : ''}] ${line}`;
        app.log.push(prefixed);
        if (process.env.DEMO_VERBOSE) say(prefixed);
      }
    });
  };
  collect(child.stdout, 'out');
  collect(child.stderr, 'err');
  children.push(app);
  return app;
}

/** Polls `condition` until it holds; rejects once `timeoutMs` has passed. */
async function until(condition, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function http(port, method, url, body) {
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: response.status, body: json };
}

async function main() {
  say(`Warren demo (run ${RUN})\n\nStarting the sample apps:`);
  const port = await freePort();
  const registryPort = await freePort();
  const apps = [
    start('topic-consumer'),
    start('rpc-server'),
    start('gateway', { PORT: String(port) }),
    start('golevelup-app'),
    start('int-summator', {}, path.join('dist', 'apps', 'components', 'src', 'int-summator.js')),
    start('registry', { PORT: String(registryPort) }, path.join('dist', 'apps', 'registry', 'src', 'main.js')),
  ];
  // They start side by side (each declares both exchanges), under one deadline.
  const starting = Date.now();
  const started = await Promise.allSettled(
    apps.map((app) =>
      until(() => app.lines.includes(`${app.name} ready`) || app.exit, `${app.name} to start`, START_TIMEOUT_MS).then(() => {
        if (app.exit) throw new Error(`exited during start-up (${describeExit(app.exit)})`);
        return Date.now() - starting;
      }),
    ),
  );
  apps.forEach((app, i) => {
    const { status, value, reason } = started[i];
    check(status === 'fulfilled', `${app.name} started`, status === 'fulfilled' ? `ready after ${value} ms` : reason.message);
  });
  if (started.some(({ status }) => status === 'rejected')) throw new Error('not every app started');
  const [consumer] = apps;
  /** EVENT <queue> <routingKey> <id> lines of this run, as [routingKey, id]. */
  const events = (queue) =>
    consumer.lines
      .filter((l) => l.startsWith(`EVENT ${queue} `))
      .map((l) => l.split(' ').slice(2, 4))
      .filter(([, id]) => id.startsWith(`${RUN}-`));

  say('\nPublishing order events through the gateway (POST /orders, /orders/:id/fail, /orders/:id/viewed):');
  const [first, second] = [`${RUN}-1`, `${RUN}-2`];
  for (const id of [first, second]) {
    const { status } = await http(port, 'POST', '/orders', { id, amount: 42 });
    check(status === 202, `order ${id} published on order.created and confirmed by the broker`, `HTTP ${status}`);
  }
  const failed = await http(port, 'POST', `/orders/${first}/fail`, { reason: 'card declined' });
  check(failed.status === 202, `payment failure of ${first} published on order.eu.payment.failed`, `HTTP ${failed.status}`);
  const viewed = await http(port, 'POST', `/orders/${second}/viewed`);
  check(viewed.status === 202, `view of ${second} emitted fire-and-forget on order.viewed`, `HTTP ${viewed.status}`);

  // A shortfall is reported by the two checks below, so the timeout itself is not an error.
  await until(() => events(ORDER_EVENTS).length >= 3 && events(ORDER_FAILURES).length >= 1, 'the consumer to print the events', EVENTS_TIMEOUT_MS).catch(
    () => undefined,
  );
  const received = events(ORDER_EVENTS).map((e) => e.join(' '));
  const expected = [`order.created ${first}`, `order.created ${second}`, `order.viewed ${second}`];
  check(
    received.length === 3 && expected.every((e) => received.includes(e)),
    `${ORDER_EVENTS} ('order.*') got both order.created and the order.viewed`,
    received.join(', ') || 'nothing',
  );
  const failures = events(ORDER_FAILURES).map((e) => e.join(' '));
  check(
    failures.length === 1 && failures[0] === `order.eu.payment.failed ${first}`,
    `${ORDER_FAILURES} ('order.#.failed') got the failure and nothing else`,
    failures.join(', ') || 'nothing',
  );

  // golevelup-app: written against golevelup's API, it audits each created order through an RPC.
  const golevelup = apps[3];
  const audits = () => golevelup.lines.filter((l) => l.startsWith('AUDIT ') && l.includes(` ${RUN}-`));
  await until(() => audits().length >= 2, 'golevelup-app to audit both orders', EVENTS_TIMEOUT_MS).catch(() => undefined);
  check(
    audits().length === 2 && [first, second].every((id) => audits().includes(`AUDIT order.created ${id} 42`)),
    'golevelup-app (golevelup API, import path changed) audited both orders through AmqpConnection.request',
    audits().join(', ') || 'nothing',
  );

  say('\nCalling the math service over RPC (GET /math/sum):');
  const sum = await http(port, 'GET', '/math/sum?a=2&b=40');
  check(sum.status === 200 && sum.body.sum === 42, 'math.sum(2, 40) = 42', `HTTP ${sum.status} ${JSON.stringify(sum.body)}`);
  const invalid = await http(port, 'GET', '/math/sum?a=1.5&b=2');
  check(
    invalid.status === 400 && invalid.body.code === 'VALIDATION_FAILED' && String(invalid.body.message).includes('must be an integer'),
    'math.sum(1.5, 2) refused by the rpc-server: RemoteError VALIDATION_FAILED became HTTP 400',
    `HTTP ${invalid.status} ${invalid.body.message}`,
  );

  say('\nAsking the rpc-server for a slow report (POST /reports):');
  const asked = Date.now();
  const report = await http(port, 'POST', '/reports', { size: 5 });
  check(
    report.status === 201 && report.body.lines === 5 && /^pid \d+$/.test(report.body.generatedBy),
    'reports.generate(5) answered by a worker',
    `HTTP ${report.status} ${JSON.stringify(report.body)}, ${Date.now() - asked} ms`,
  );

  await components(registryPort);
  await operability(port);
}

/** The gateway's /health, and a dead letter parked, inspected and replayed with the warren CLI. */
async function operability(port) {
  say('\nOperability (GET /health; the warren CLI on a dead letter):');
  const health = await http(port, 'GET', '/health');
  const rabbit = health.body && health.body.info && health.body.info.rabbitmq;
  check(health.status === 200 && rabbit && rabbit.status === 'up', 'GET /health: rabbitmq up', `HTTP ${health.status} ${JSON.stringify(rabbit && { connected: rabbit.connection.connected, consumers: rabbit.consumers.length })}`);
  const cli = (...args) => spawnSync(process.execPath, [path.join(ROOT, 'libs', 'warren', 'dist', 'cli', 'main.js'), ...args], { encoding: 'utf8', timeout: 30_000 });
  const dlq = `${ORDER_EVENTS}.dlq`;
  // An order event the consumer's DTO refuses: parked at once, with the reason.
  const bad = `${RUN}-bad`;
  cli('publish', 'warren.demo.orders', 'order.created', JSON.stringify({ id: bad, amount: -1 }));
  const parked = () => cli('dlq', 'inspect', dlq, '--limit', '100').stdout.split('\n');
  await until(() => parked().some((l) => l.includes(bad)), 'the bad event to be parked', EVENTS_TIMEOUT_MS).catch(() => undefined);
  const lines = parked();
  const index = lines.findIndex((l) => l.includes(bad));
  const reason = index > 0 ? lines[index - 1].trim() : '';
  check(index > 0 && /amount must not be less than 0/.test(reason), 'the invalid event is parked with its reason (warren dlq inspect)', reason || 'not parked');
  const replay = cli('dlq', 'replay', dlq);
  check(replay.status === 0 && /Replayed \d+ message/.test(replay.stdout), 'warren dlq replay sent it back (and the consumer parks it again: it is still invalid)', replay.stdout.trim().split('\n').pop());
}

/** Components: a requester calls IntSummator by name (valid and invalid arguments); the registry lists it. */
async function components(registryPort) {
  say('\nComponents calling each other by name (requester -> IntSummator; registry over HTTP):');
  const requester = start('requester', {}, path.join('dist', 'apps', 'components', 'src', 'requester.js'));
  requester.oneShot = true; // it runs to the end by itself
  await until(() => requester.exit, 'the requester to finish', START_TIMEOUT_MS).catch(() => undefined);
  const lines = requester.lines.filter((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  check(lines.includes('RESULT int_sum({ a: 1, b: 2 }) = 3'), 'IntSummator.int_sum({ a: 1, b: 2 }) = 3', lines[0] ?? 'nothing');
  const codes = lines.filter((l) => l.startsWith('ERROR ')).map((l) => l.split(' -> ')[1]?.split(':')[0]);
  check(
    JSON.stringify(codes) === JSON.stringify(['VALIDATION_FAILED', 'NOT_INTEGER', 'UNKNOWN_METHOD', 'UNKNOWN_COMPONENT']),
    'bad calls answered with VALIDATION_FAILED, the method\'s NOT_INTEGER, UNKNOWN_METHOD and UNKNOWN_COMPONENT',
    codes.join(', ') || 'nothing',
  );
  const catalogue = await http(registryPort, 'GET', '/components');
  const summator = Array.isArray(catalogue.body) ? catalogue.body.find((c) => c.name === 'IntSummator') : undefined;
  check(
    catalogue.status === 200 && summator && summator.instances.length >= 1 && summator.methods.some((m) => m.name === 'int_sum'),
    'the registry app lists IntSummator, live, with int_sum',
    `HTTP ${catalogue.status}, ${summator ? `${summator.instances.length} instance(s)` : 'not listed'}`,
  );
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** SIGTERM to every app at once, then each gets until the same deadline before SIGKILL. */
async function stopAll() {
  say('\nStopping every app with SIGTERM:');
  const sent = Date.now();
  for (const app of children) if (!app.exit) app.child.kill('SIGTERM');
  const deadline = sent + STOP_TIMEOUT_MS;
  for (const app of children.filter((a) => !a.oneShot)) {
    const wasDown = app.exitedAt !== undefined && app.exitedAt < sent;
    let timer;
    const outcome = await Promise.race([
      app.exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
      }),
    ]);
    clearTimeout(timer);
    if (!outcome) {
      app.child.kill('SIGKILL');
      check(false, `${app.name} stopped within ${STOP_TIMEOUT_MS / 1000} s`, 'killed with SIGKILL');
      continue;
    }
    // Nest re-raises the signal once its shutdown hooks have run, so that counts as clean too.
    const graceful = !wasDown && (outcome.signal === 'SIGTERM' || outcome.code === 0);
    const detail = wasDown ? `had already exited (${describeExit(outcome)})` : `${describeExit(outcome)} after ${app.exitedAt - sent} ms`;
    check(graceful, `${app.name} stopped gracefully`, detail);
  }
}

/** Last resort (uncaught error, Ctrl-C): no app may outlive the demo. */
function killAll() {
  for (const app of children) if (!app.exit) app.child.kill('SIGKILL');
}

function showLogs() {
  say('\nThe apps said (last lines each; DEMO_VERBOSE=1 shows everything as it happens):');
  for (const app of children) for (const line of app.log.slice(-25)) say(line);
}

process.on('uncaughtException', (error) => {
  say(`demo crashed: ${error.stack}`);
  killAll();
  process.exit(1);
});
process.on('unhandledRejection', (error) => {
  say(`demo crashed: ${error instanceof Error ? error.stack : String(error)}`);
  killAll();
  process.exit(1);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    say(`\ndemo interrupted by ${signal}`);
    killAll();
    process.exit(1);
  });
}

let failedWith;
main()
  .catch((error) => {
    failedWith = error;
    check(false, 'scenario ran to the end', error.message);
  })
  .then(stopAll)
  .then(() => {
    const passed = results.filter(Boolean).length;
    const ok = !failedWith && passed === results.length;
    if (!ok && !process.env.DEMO_VERBOSE) showLogs();
    say(`\n${passed} passed, ${results.length - passed} failed`);
    process.exit(ok ? 0 : 1);
  })
  .catch((error) => {
    say(`demo crashed: ${error.stack}`);
    killAll();
    process.exit(1);
  });
