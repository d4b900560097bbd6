/**
 * A consumer's peak memory under large messages (issue 22, finding 2). The parent publishes;
 * a child process runs Warren with its defaults and reports its resident set: at start, and the
 * kernel's high-water mark (VmHWM) once every message was handled or parked.
 *
 *   npm run build && npx tsc -b bench/tsconfig.json
 *   node dist/bench/consumer-memory.js <count> <MiB> [json] [queued]
 *   json: JSON bodies a handler decodes and holds 200 ms; queued: all messages wait in the queue
 *   before the consumer subscribes (else they arrive while it consumes)
 */
import 'reflect-metadata';
import { fork } from 'child_process';
import { readFileSync } from 'fs';
import { randomBytes } from 'crypto';
import * as amqplib from 'amqplib';
import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
import { WarrenConsumers, WarrenModule } from 'nestjs-warren';

const BROKER_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MIB = 1024 * 1024;

function procStatus(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`))!;
  return Number(/(\d+)/.exec(line)![1]) * 1024;
}

async function child(queue: string, holdMs: number, queued: boolean): Promise<void> {
  @Module({ imports: [WarrenModule.forRoot({ logger: false })] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  await app.get(WarrenConsumers).add({ type: 'subscribe', queue }, async () => {
    await new Promise((resolve) => setTimeout(resolve, holdMs));
    process.send!({ handled: 1 });
  });
  const consumers = app.get(WarrenConsumers);
  if (queued) await consumers.pause(queue);
  process.send!({ ready: true, rss: procStatus('VmRSS') });
  process.on('message', (message: { report?: boolean; resume?: boolean }) => {
    if (message.resume) void consumers.resume(queue);
    if (!message.report) return;
    process.send!({ peak: procStatus('VmHWM'), rss: procStatus('VmRSS') }, () => void app.close().then(() => process.exit(0)));
  });
}

function body(bytes: number, json: boolean): Buffer {
  if (!json) return Buffer.alloc(bytes, 'x');
  const item = '{"id":12345,"name":"item","tags":["a","b"],"price":9.99},';
  const items = item.repeat(Math.floor((bytes - 20) / item.length));
  return Buffer.from(`{"items":[${items.slice(0, -1)}]}`);
}

async function parent(count: number, mib: number, json: boolean, queued: boolean): Promise<void> {
  const queue = `bench.memory.${randomBytes(4).toString('hex')}`;
  const worker = fork(__filename, ['child', queue, json ? '200' : '0', String(queued)], { execArgv: [] });
  const messages: Array<Record<string, number | boolean>> = [];
  let handled = 0;
  worker.on('message', (m: Record<string, number | boolean>) => (m.handled ? handled++ : messages.push(m)));
  const next = () =>
    new Promise<Record<string, number | boolean>>((resolve) => {
      const poll = setInterval(() => {
        const m = messages.shift();
        if (!m) return;
        clearInterval(poll);
        resolve(m);
      }, 20);
    });
  const start = await next();
  const connection = await amqplib.connect(BROKER_URL);
  const channel = await connection.createConfirmChannel();
  const content = body(mib * MIB, json);
  for (let i = 0; i < count; i++) {
    channel.sendToQueue(queue, content, { contentType: json ? 'application/json' : 'application/octet-stream', messageId: `m${i}` });
    await channel.waitForConfirms();
  }
  if (queued) worker.send({ resume: true });
  const started = Date.now();
  for (;;) {
    const parked = await channel.checkQueue(`${queue}.dlq`).then((q) => q.messageCount).catch(() => 0);
    const ready = (await channel.checkQueue(queue)).messageCount;
    if (ready === 0 && parked + handled >= count) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const elapsed = Date.now() - started;
  const dlq = await channel.checkQueue(`${queue}.dlq`).catch(() => undefined);
  worker.send({ report: true });
  const end = await next();
  const parkedBytes = dlq ? await dlqBytes(channel, `${queue}.dlq`) : 0;
  for (const name of [queue, `${queue}.dlq`]) await channel.deleteQueue(name).catch(() => undefined);
  for (const ms of [1000, 2000, 4000, 8000]) await channel.deleteQueue(`${queue}.retry.${ms}ms`).catch(() => undefined);
  await connection.close();
  const f = (n: number) => `${(n / MIB).toFixed(0)} MiB`;
  const line = { count, mib, json, queued, startRss: f(Number(start.rss)), peakRss: f(Number(end.peak)), rise: f(Number(end.peak) - Number(start.rss)), handled, parked: dlq?.messageCount ?? 0, parkedBytes: f(parkedBytes), elapsedMs: elapsed };
  console.log(JSON.stringify(line));
}

async function dlqBytes(channel: amqplib.Channel, queue: string): Promise<number> {
  let total = 0;
  for (;;) {
    const message = await channel.get(queue, { noAck: true });
    if (!message) return total;
    total += message.content.length;
  }
}

const [mode, a, ...flags] = process.argv.slice(2);
if (mode === 'child') void child(a, Number(flags[0]), flags[1] === 'true');
else void parent(Number(mode ?? 10), Number(a ?? 100), flags.includes('json'), flags.includes('queued'));
