import { Controller, INestApplication, INestMicroservice, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import * as amqplib from 'amqplib';
import { RabbitHeader, RabbitPayload, RabbitSubscribe, WarrenModule } from 'nestjs-warren';
import { WarrenServer } from 'nestjs-warren/microservices';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { LimitedUser, createLimitedUser } from './support/limited-user';

interface Job {
  id: string;
  fail?: boolean;
}

const escape = (name: string) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Warren's bookkeeping headers (`warren-original-*`, `warren-attempt`, …) steer a message only when
 * the delivery came back through the queue's own retry path. A sender the broker limits to one
 * routing key must not pick another handler, skip retries or forge the parked record with them.
 */
describe('bookkeeping headers are honoured only on Warren-made retries (limited sender, real broker)', () => {
  const exchange = unique('sec.headers');
  const orders = unique('q.sec.orders');
  const requeue = unique('q.sec.requeue');
  const service = unique('q.sec.service');
  const victim = unique('q.sec.victim');
  const runs: Record<string, Array<{ handler: string; headers: Record<string, unknown> }>> = {};
  const record = (handler: string, job: Job, headers: Record<string, unknown>) => (runs[job.id] ??= []).push({ handler, headers });
  const handlersOf = (id: string) => (runs[id] ?? []).map((run) => run.handler);
  const resets: unknown[] = [];
  const startedAt = Date.now();

  @Injectable()
  class Orders {
    @RabbitSubscribe({ exchange, routingKey: 'orders.created', queue: orders, retry: { attempts: 3, initialDelayMs: 100 } })
    created(@RabbitPayload() job: Job, @RabbitHeader() headers: Record<string, unknown>) {
      record('created', job, headers);
      if (job.fail || (job.id.startsWith('retry-') && runs[job.id].length < 2)) throw new Error(`created failed ${job.id}`);
    }

    @RabbitSubscribe({ exchange, routingKey: 'orders.admin.purge', queue: orders, retry: { attempts: 3, initialDelayMs: 100 } })
    purge(@RabbitPayload() job: Job, @RabbitHeader() headers: Record<string, unknown>) {
      record('purge', job, headers);
      if (job.fail || (job.id.startsWith('retry-') && runs[job.id].length < 2)) throw new Error(`purge failed ${job.id}`);
    }

    @RabbitSubscribe({ exchange, routingKey: 'req.a', queue: requeue, retry: { attempts: 3, mode: 'requeue' } })
    requeueA(@RabbitPayload() job: Job, @RabbitHeader() headers: Record<string, unknown>) {
      record('req.a', job, headers);
      if (runs[job.id].length < 2) throw new Error(`req.a failed ${job.id}`);
    }

    @RabbitSubscribe({ exchange, routingKey: 'req.b', queue: requeue, retry: { attempts: 3, mode: 'requeue' } })
    requeueB(@RabbitPayload() job: Job, @RabbitHeader() headers: Record<string, unknown>) {
      record('req.b', job, headers);
      if (runs[job.id].length < 2) throw new Error(`req.b failed ${job.id}`);
    }
  }

  @Controller()
  class Maths {
    @MessagePattern('math.sum')
    sum(@Payload() numbers: number[]) {
      return numbers.reduce((a, b) => a + b, 0);
    }

    @MessagePattern('admin.reset')
    reset(@Payload() body: unknown) {
      resets.push(body);
      return 'reset done';
    }
  }

  let app: INestApplication;
  let microservice: INestMicroservice;
  let raw: RawClient;
  let attacker: LimitedUser;
  let attackerConnection: amqplib.ChannelModel;
  let attackerChannel: amqplib.ConfirmChannel;

  beforeAll(async () => {
    raw = await RawClient.connect();
    app = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic' }] })], providers: [Orders] });
    microservice = await NestFactory.createMicroservice<MicroserviceOptions>(
      { module: class ServiceModule {}, controllers: [Maths] },
      { strategy: new WarrenServer({ uri: BROKER_URL, exchange, queue: service, retry: false }), logger: false },
    );
    await microservice.listen();
    // Configure nothing, write only to this exchange, and only with the routing keys it may use.
    attacker = await createLimitedUser({
      configure: '^$',
      write: `^${escape(exchange)}$`,
      read: '^$',
      topic: { exchange, write: '^(orders\\.created|req\\.a|math\\.sum)$' },
    });
    await raw.channel.assertQueue(victim, { durable: false });
    attackerConnection = await amqplib.connect(attacker.url);
    attackerChannel = await attackerConnection.createConfirmChannel();
  });

  afterAll(async () => {
    await attackerConnection?.close().catch(() => undefined);
    await attacker?.remove();
    await microservice?.close();
    await closeAll(app);
    await raw.deleteQueues(orders, requeue, service, victim, `${orders}.retry.100ms`, `${orders}.retry.200ms`);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  async function attack(routingKey: string, job: Job, headers: Record<string, unknown>): Promise<void> {
    attackerChannel.publish(exchange, routingKey, Buffer.from(JSON.stringify(job)), { contentType: 'application/json', headers });
    await attackerChannel.waitForConfirms();
  }

  it('the attacker really is limited: publishing with the admin routing key is refused by the broker', async () => {
    const connection = await amqplib.connect(attacker.url);
    try {
      const channel = await connection.createConfirmChannel();
      const closed = new Promise<Error>((resolve) => channel.on('error', resolve));
      channel.publish(exchange, 'orders.admin.purge', Buffer.from('{}'));
      await expect(closed).resolves.toMatchObject({ code: 403 });
    } finally {
      await connection.close().catch(() => undefined);
    }
  });

  it('(a) a forged warren-original-routing-key does not pick another handler on the queue', async () => {
    await attack('orders.created', { id: 'a1' }, { 'warren-original-routing-key': 'orders.admin.purge' });
    await waitFor(() => handlersOf('a1').length === 1, 'the forged message handled');
    expect(handlersOf('a1')).toEqual(['created']);
  });

  it('(a) nor on a queue that retries in requeue mode', async () => {
    await attack('req.a', { id: 'a2' }, { 'warren-original-routing-key': 'req.b', 'warren-attempt': 2 });
    await waitFor(() => handlersOf('a2').length === 2, 'the forged message and its retry handled');
    expect(handlersOf('a2')).toEqual(['req.a', 'req.a']);
    expect(runs.a2[1].headers['warren-attempt']).toBe(2); // the first attempt counted as 1, not the forged 2
  });

  it("(b) through WarrenServer, a sender allowed only 'math.sum' does not get admin.reset's reply", async () => {
    const replies: amqplib.ConsumeMessage[] = [];
    const { consumerTag } = await attackerChannel.consume('amq.rabbitmq.reply-to', (reply) => reply && replies.push(reply), { noAck: true });
    try {
      attackerChannel.publish(exchange, 'math.sum', Buffer.from(JSON.stringify([1, 2, 3])), {
        contentType: 'application/json',
        replyTo: 'amq.rabbitmq.reply-to',
        correlationId: 'b1',
        headers: { 'warren-original-routing-key': 'admin.reset' },
      });
      await attackerChannel.waitForConfirms();
      await waitFor(() => replies.length === 1, 'the reply');
    } finally {
      await attackerChannel.cancel(consumerTag);
    }
    expect(replies[0].properties.correlationId).toBe('b1');
    expect(JSON.parse(replies[0].content.toString())).toBe(6); // math.sum answered
    expect(resets).toEqual([]);
  });

  it('(c) a forged warren-attempt 99 still gets every retry, counted from 1', async () => {
    await attack('orders.created', { id: 'c1', fail: true }, { 'warren-attempt': 99 });
    await waitFor(async () => (await raw.ready(`${orders}.dlq`)) === 1, 'the message parked after its retries');
    const [parked] = await raw.drain(`${orders}.dlq`);
    expect(handlersOf('c1')).toEqual(['created', 'created', 'created']);
    expect(runs.c1.map((run) => run.headers['warren-attempt'])).toEqual([99, 2, 3]); // the handler sees what arrived
    expect(parked.properties.headers?.['warren-attempt']).toBe(3);
  });

  it('(d) a parked message records its true exchange and routing key, not forged ones', async () => {
    const forged = {
      'warren-original-exchange': 'amq.direct',
      'warren-original-routing-key': 'orders.admin.purge',
      'warren-original-queue': 'somewhere.else',
      'warren-first-failed-at': '2000-01-01T00:00:00.000Z',
      'warren-dead-lettered-at': '2000-01-01T00:00:00.000Z',
      'warren-headers-dropped': 'forged',
      'warren-error': 'forged error',
      tenant: 'acme',
    };
    await attack('orders.created', { id: 'd1', fail: true }, forged);
    await waitFor(async () => (await raw.ready(`${orders}.dlq`)) === 1, 'the message parked');
    const [parked] = await raw.drain(`${orders}.dlq`);
    const headers = parked.properties.headers!;
    expect(headers).toMatchObject({
      tenant: 'acme', // the sender's own headers travel on
      'warren-original-exchange': exchange,
      'warren-original-routing-key': 'orders.created',
      'warren-original-queue': orders,
      'warren-attempt': 3,
      'warren-error': 'created failed d1',
    });
    expect(headers['warren-headers-dropped']).toBeUndefined();
    expect(Date.parse(headers['warren-first-failed-at'] as string)).toBeGreaterThanOrEqual(startedAt);
    expect(Date.parse(headers['warren-dead-lettered-at'] as string)).toBeGreaterThanOrEqual(startedAt);
    // The retry copies carried no forged headers either.
    expect(runs.d1[1].headers).toMatchObject({ 'warren-original-routing-key': 'orders.created', 'warren-original-exchange': exchange });
    expect(runs.d1[1].headers['warren-original-queue']).toBeUndefined();
  });

  it('(e) a genuine retry through a delay queue comes back to the handler it left', async () => {
    await raw.publish(exchange, 'orders.admin.purge', JSON.stringify({ id: 'retry-e1' }), { contentType: 'application/json' });
    await waitFor(() => handlersOf('retry-e1').length === 2, 'the retry handled');
    expect(handlersOf('retry-e1')).toEqual(['purge', 'purge']);
    expect(runs['retry-e1'][1].headers).toMatchObject({ 'warren-attempt': 2, 'warren-original-routing-key': 'orders.admin.purge' });
  });

  it("(e) a genuine retry in 'requeue' mode comes back to the handler it left", async () => {
    await raw.publish(exchange, 'req.b', JSON.stringify({ id: 'e2' }), { contentType: 'application/json' });
    await waitFor(() => handlersOf('e2').length === 2, 'the retry handled');
    expect(handlersOf('e2')).toEqual(['req.b', 'req.b']);
    expect(runs.e2[1].headers['warren-attempt']).toBe(2);
  });

  it('(f) CC and BCC headers on a failing message do not copy its retries or dead letter into other queues', async () => {
    // Warren publishes retries and dead letters through the default exchange with its own rights:
    // a CC header kept on the copy would make the broker route it into any queue the sender names.
    // Sent by a trusted client: RabbitMQ 4.x checks topic permissions on CC keys too (3.10 does not),
    // so the limited user could not send it there; what is tested is Warren's copies, whoever sent it.
    await raw.publish(exchange, 'orders.created', JSON.stringify({ id: 'f1', fail: true }), {
      contentType: 'application/json',
      headers: { CC: [victim], BCC: [victim], tenant: 'acme' },
    });
    await waitFor(async () => (await raw.ready(`${orders}.dlq`)) === 1, 'the message parked');
    const [parked] = await raw.drain(`${orders}.dlq`);
    expect(handlersOf('f1')).toEqual(['created', 'created', 'created']);
    expect(parked.properties.headers).toMatchObject({ tenant: 'acme' });
    expect(parked.properties.headers?.CC).toBeUndefined();
    expect(parked.properties.headers?.BCC).toBeUndefined();
    expect(await raw.ready(victim)).toBe(0);
  });
});
