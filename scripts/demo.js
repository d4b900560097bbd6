#!/usr/bin/env node
/**
 * The sample apps, end to end: starts topic-consumer, rpc-server and gateway (built in dist/),
 * drives one scenario through the gateway's HTTP API, checks what each service did, stops every
 * app with SIGTERM and exits 0 only when everything behaved. Every wait has a deadline.
 * Run it with `npm run demo` (which ensures a broker and builds first).
 */
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const { randomBytes } = require('crypto');

const ROOT = path.join(__dirname, '..');
const RUN = randomBytes(3).toString('hex'); // only this run's events count
const results = [];
const children = [];

const say = (line) => process.stdout.write(`${line}\n`);
const check = (ok, what, detail = '') => {
  results.push(ok);
  say(`  ${ok ? '✓' : '✗'} ${what}${detail ? ` — ${detail}` : ''}`);
  return ok;
};

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

/** Starts one app; collects its stdout lines and echoes them with a prefix. */
function start(name, env = {}) {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { name, child, lines: [], exit: undefined };
  app.exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      app.exit = { code, signal };
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
        app.lines.push(line);
        if (process.env.DEMO_VERBOSE || label === 'err') say(`    [${name}${label === 'err' ? ' stderr' : ''}] ${line}`);
      }
    });
  };
  collect(child.stdout, 'out');
  collect(child.stderr, 'err');
  children.push(app);
  return app;
}

async function until(condition, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function http(port, method, url, body) {
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
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

async function stopAll() {
  say('\nStopping every app with SIGTERM:');
  for (const app of children) if (!app.exit) app.child.kill('SIGTERM');
  for (const app of children) {
    const started = Date.now();
    let timer;
    const outcome = await Promise.race([
      app.exited,
      new Promise((resolve) => {
        timer = setTimeout(() => resolve(undefined), 15_000);
      }),
    ]);
    clearTimeout(timer);
    if (!outcome) {
      app.child.kill('SIGKILL');
      check(false, `${app.name} exits within 15 s`, 'killed');
      continue;
    }
    // Nest re-raises the signal once its shutdown hooks have run: that is a clean stop.
    const graceful = outcome.signal === 'SIGTERM' || outcome.code === 0;
    check(graceful, `${app.name} stopped gracefully`, `${outcome.signal ?? `exit code ${outcome.code}`}, ${Date.now() - started} ms`);
  }
}

async function main() {
  say(`Warren demo (run ${RUN})\n\nStarting the sample apps:`);
  const port = await freePort();
  const apps = [start('topic-consumer'), start('rpc-server'), start('gateway', { PORT: String(port) })];
  for (const app of apps) {
    await until(() => app.lines.some((l) => l.startsWith(`${app.name} ready`)) || app.exit, `${app.name} to start`, 30_000);
    if (!check(!app.exit, `${app.name} started`)) throw new Error(`${app.name} exited during start-up`);
  }
  const [consumer] = apps;
  const events = (queue) => consumer.lines.filter((l) => l.startsWith(`EVENT ${queue} `) && l.includes(RUN));

  say('\nPublishing order events through the gateway (POST /orders, /orders/:id/fail, /orders/:id/viewed):');
  const created = [`${RUN}-1`, `${RUN}-2`];
  for (const id of created) {
    const { status } = await http(port, 'POST', '/orders', { id, amount: 42 });
    check(status === 202, `order ${id} published and confirmed`, `HTTP ${status}`);
  }
  const failed = await http(port, 'POST', `/orders/${RUN}-1/fail`, { reason: 'card declined' });
  check(failed.status === 202, 'payment failure published on order.eu.payment.failed', `HTTP ${failed.status}`);
  const viewed = await http(port, 'POST', `/orders/${RUN}-2/viewed`);
  check(viewed.status === 202, 'order view emitted fire-and-forget', `HTTP ${viewed.status}`);

  await until(() => events('warren.demo.order-events').length >= 3 && events('warren.demo.order-failures').length >= 1, 'the consumer to receive the events', 10_000).catch(() => false);
  const orderEvents = events('warren.demo.order-events').map((l) => l.split(' ')[2]);
  const failures = events('warren.demo.order-failures').map((l) => l.split(' ')[2]);
  check(
    orderEvents.filter((k) => k === 'order.created').length === 2 && orderEvents.filter((k) => k === 'order.viewed').length === 1 && orderEvents.length === 3,
    "topic-consumer got 2 order.created and 1 order.viewed on 'order.*'",
    orderEvents.join(', '),
  );
  check(failures.length === 1 && failures[0] === 'order.eu.payment.failed', "topic-consumer got the failure on 'order.#.failed' only", failures.join(', '));

  say('\nCalling the math service over RPC (GET /math/sum):');
  const sum = await http(port, 'GET', '/math/sum?a=2&b=40');
  check(sum.status === 200 && sum.body.sum === 42, 'math.sum(2, 40) answered', `HTTP ${sum.status} ${JSON.stringify(sum.body)}`);
  const invalid = await http(port, 'GET', '/math/sum?a=1.5&b=2');
  check(
    invalid.status === 400 && invalid.body.code === 'VALIDATION_FAILED' && String(invalid.body.message).includes('must be an integer'),
    'math.sum(1.5, 2) rejected by the service with its validation message',
    `HTTP ${invalid.status} ${invalid.body.message}`,
  );

  say('\nAsking the rpc-server for a slow report (POST /reports):');
  const report = await http(port, 'POST', '/reports', { size: 5 });
  check(report.status === 201 && report.body.lines === 5, 'reports.generate answered by a worker', `HTTP ${report.status} ${JSON.stringify(report.body)}`);
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
    say(`\n${passed} passed, ${results.length - passed} failed`);
    process.exit(failedWith || passed !== results.length ? 1 : 0);
  })
  .catch((error) => {
    say(`demo crashed: ${error.stack}`);
    for (const app of children) if (!app.exit) app.child.kill('SIGKILL');
    process.exit(1);
  });
