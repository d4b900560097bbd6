import { INestApplication, Injectable, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AmqpConnection, ChannelNotAvailableError, RabbitMQModule, RabbitSubscribe } from 'nestjs-warren/golevelup';
import { closeAll, startApp } from '../support/app';
import { BROKER_URL, RawClient, unique, waitFor } from '../support/broker';

/** Start-up paths golevelup applications take: golevelup 5's forRootAsync form, queue purges in onModuleInit. */
describe('golevelup compatibility: start-up (real broker)', () => {
  let raw: RawClient;
  const queues: string[] = [];

  beforeAll(async () => {
    raw = await RawClient.connect();
  });

  afterAll(async () => {
    await raw.deleteQueues(...queues);
    await raw.close();
  });

  it("accepts golevelup 5's forRootAsync(RabbitMQModule, { useFactory }) and consumes with it", async () => {
    const queue = unique('q.compat.legacy-async');
    queues.push(queue);
    const got: unknown[] = [];
    @Injectable()
    class Handler {
      @RabbitSubscribe({ queue, queueOptions: { durable: false } })
      handle(payload: unknown) {
        got.push(payload);
      }
    }
    const app = await startApp({
      imports: [RabbitMQModule.forRootAsync(RabbitMQModule, { useFactory: () => ({ uri: BROKER_URL }) })],
      providers: [Handler],
    });
    try {
      await app.get(AmqpConnection).publish('', queue, { n: 1 });
      await waitFor(() => got.length === 1, 'the message, consumed');
      expect(got).toEqual([{ n: 1 }]);
    } finally {
      await closeAll(app);
    }
  });

  /**
   * An app that purges its handler's queue in onModuleInit: the queue is declared later, in
   * onApplicationBootstrap. `disconnects` counts connection losses from then on.
   */
  function purgingApp(queue: string, onPurge: (purge: Promise<unknown>) => Promise<void>, disconnects: Error[]) {
    @Injectable()
    class Purger implements OnModuleInit {
      constructor(private readonly amqp: AmqpConnection) {}

      async onModuleInit() {
        this.amqp.managedConnection.on('disconnect', ({ err }: { err: Error }) => disconnects.push(err));
        await onPurge(this.amqp.channel.purgeQueue(queue));
      }

      @RabbitSubscribe({ queue, queueOptions: { durable: false } })
      handle() {
        return undefined;
      }
    }
    return { imports: [RabbitMQModule.forRoot({ uri: BROKER_URL })], providers: [Purger] };
  }

  it("a purge of a queue that does not exist yet rejects with the broker's 404; the app starts, the channel works again, the connection stays", async () => {
    const queue = unique('q.compat.purge');
    queues.push(queue);
    let refusal: unknown;
    let app: INestApplication | undefined;
    const disconnects: Error[] = [];
    try {
      app = await startApp(
        purgingApp(
          queue,
          async (purge) => {
            refusal = await purge.then(
              () => undefined,
              (error: unknown) => error,
            );
          },
          disconnects,
        ),
      );
      expect(refusal).toMatchObject({ code: 404 });
      expect(String((refusal as Error).message)).toMatch(/NOT_FOUND - no queue/);
      expect(await raw.queueExists(queue)).toBe(true); // declared at bootstrap, as golevelup did
      const amqp = app.get(AmqpConnection);
      // The channel the broker closed is replaced: the same call now succeeds.
      let purged: { messageCount: number } | undefined;
      await waitFor(async () => {
        try {
          purged = await amqp.channel.purgeQueue(queue);
          return true;
        } catch (error) {
          if (error instanceof ChannelNotAvailableError) return false; // being re-opened (for some 50 ms)
          throw error;
        }
      }, 'a purge on the re-opened channel');
      expect(purged).toEqual({ messageCount: 0 });
      // Only that channel closed: the connection (and every consumer on it) stayed up.
      expect(disconnects).toEqual([]);
    } finally {
      await closeAll(app);
    }
  });

  it('the same purge, not caught by the app: app.init() rejects with the 404; the connection is not dropped', async () => {
    const queue = unique('q.compat.purge-uncaught');
    queues.push(queue);
    const disconnects: Error[] = [];
    const moduleRef = await Test.createTestingModule(purgingApp(queue, async (purge) => void (await purge), disconnects)).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    try {
      const failed = await app.init().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failed).toMatchObject({ code: 404 });
      expect(disconnects).toEqual([]);
    } finally {
      await app.close(); // Nest does not close what a failed init opened
    }
  });

  it("in the app's onApplicationBootstrap the handler queues exist: the same purge succeeds there", async () => {
    const queue = unique('q.compat.purge-bootstrap');
    queues.push(queue);
    let purged: unknown;
    @Injectable()
    class Purger implements OnApplicationBootstrap {
      constructor(private readonly amqp: AmqpConnection) {}

      async onApplicationBootstrap() {
        purged = await this.amqp.channel.purgeQueue(queue);
      }

      @RabbitSubscribe({ queue, queueOptions: { durable: false } })
      handle() {
        return undefined;
      }
    }
    const app = await startApp({ imports: [RabbitMQModule.forRoot({ uri: BROKER_URL })], providers: [Purger] });
    try {
      expect(purged).toEqual({ messageCount: 0 });
    } finally {
      await closeAll(app);
    }
  });
});
