import { Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import * as amqplib from 'amqplib';
import { randomUUID } from 'crypto';
import { BROKER_URL, BenchPayload, BenchStack } from './stack';

const CONFIG = Symbol('raw-config');
/** The amqplib module a raw stack runs on (its connect is all it needs): 2.x, or 0.10.9 under its alias. */
type Amqplib = Pick<typeof amqplib, 'connect'>;
const AMQPLIB: Record<'2' | '0.10', () => Amqplib> = {
  '2': () => amqplib,
  // A dev dependency under an npm alias, for comparing the two; typed as 2.x (the API Warren uses is the same).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  '0.10': () => require('amqplib-0.10') as Amqplib,
};
interface RawConfig {
  client: Amqplib;
  queue: string;
  role: 'producer' | 'consumer' | 'rpc';
  prefetch: number;
  /** Publish with the properties Warren puts on every message (see RawStack). */
  warrenProperties?: boolean;
  onMessage?: () => void;
}

/**
 * The reference: plain amqplib with TCP_NODELAY, wrapped in a Nest module the way a team would
 * hand-roll it. Confirm channel, manual ack, direct reply-to for RPC.
 */
@Injectable()
class RawAmqp implements OnModuleInit, OnApplicationShutdown {
  connection!: amqplib.ChannelModel;
  channel!: amqplib.ConfirmChannel;
  private readonly pending = new Map<string, (value: unknown) => void>();

  constructor(@Inject(CONFIG) private readonly config: RawConfig) {}

  async onModuleInit() {
    this.connection = await this.config.client.connect(BROKER_URL, { noDelay: true });
    this.channel = await this.connection.createConfirmChannel();
    const { queue, role, prefetch, onMessage } = this.config;
    await this.channel.assertQueue(queue, { durable: true });
    if (role === 'consumer') {
      await this.channel.prefetch(prefetch);
      await this.channel.consume(queue, (message) => {
        if (!message) return;
        JSON.parse(message.content.toString());
        onMessage?.();
        this.channel.ack(message);
      });
    }
    if (role === 'rpc') {
      const server = await this.connection.createChannel();
      await server.prefetch(prefetch);
      await server.consume(queue, (message) => {
        if (!message) return;
        const request = JSON.parse(message.content.toString()) as BenchPayload;
        server.sendToQueue(message.properties.replyTo, Buffer.from(JSON.stringify({ id: request.id })), {
          correlationId: message.properties.correlationId,
          contentType: 'application/json',
        });
        server.ack(message);
      });
      await this.channel.consume(
        'amq.rabbitmq.reply-to',
        (reply) => {
          if (!reply) return;
          const resolve = this.pending.get(reply.properties.correlationId);
          this.pending.delete(reply.properties.correlationId);
          resolve?.(JSON.parse(reply.content.toString()));
        },
        { noAck: true },
      );
    }
  }

  publish(queue: string, body: BenchPayload): Promise<void> {
    return new Promise((resolve, reject) => {
      const properties: amqplib.Options.Publish = this.config.warrenProperties
        ? { persistent: true, contentType: 'application/json', messageId: randomUUID(), timestamp: Math.floor(Date.now() / 1000), mandatory: true }
        : { persistent: true, contentType: 'application/json' };
      this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), properties, (error) => (error ? reject(error) : resolve()));
    });
  }

  call(queue: string, body: BenchPayload): Promise<unknown> {
    const correlationId = randomUUID();
    return new Promise((resolve) => {
      this.pending.set(correlationId, resolve);
      this.channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), {
        replyTo: 'amq.rabbitmq.reply-to',
        correlationId,
        contentType: 'application/json',
      });
    });
  }

  async onApplicationShutdown() {
    await this.connection.close().catch(() => undefined);
  }
}

export class RawStack implements BenchStack {
  readonly name: string;

  /**
   * @param warrenProperties publish with what Warren puts on every message (messageId, timestamp,
   * mandatory): shows what those properties cost the broker, apart from any client code.
   */
  /** @param version the amqplib it runs on: Warren's (2.x), or 0.10.9 (the alias amqplib-0.10) for comparison. */
  constructor(
    private readonly warrenProperties = false,
    private readonly version: '2' | '0.10' = '2',
  ) {
    this.name = warrenProperties ? "raw amqplib + Warren's message properties" : version === '0.10' ? 'raw amqplib 0.10.9 (noDelay)' : 'raw amqplib (noDelay)';
  }

  private apps: INestApplicationContext[] = [];
  private client?: RawAmqp;
  private queue = '';

  private async boot(given: Omit<RawConfig, 'client'>): Promise<RawAmqp> {
    const config: RawConfig = { ...given, client: AMQPLIB[this.version]() };
    @Module({ providers: [{ provide: CONFIG, useValue: config }, RawAmqp] })
    class RawModule {}
    const app = await NestFactory.createApplicationContext(RawModule, { logger: false });
    await app.init();
    this.apps.push(app);
    return app.get(RawAmqp);
  }

  async startProducer(queue: string) {
    this.queue = queue;
    this.client = await this.boot({ queue, role: 'producer', prefetch: 0, warrenProperties: this.warrenProperties });
  }

  publish(body: BenchPayload) {
    return this.client!.publish(this.queue, body);
  }

  async startConsumer(queue: string, prefetch: number, onMessage: () => void) {
    await this.boot({ queue, role: 'consumer', prefetch, onMessage });
  }

  async startRpc(queue: string) {
    this.queue = queue;
    this.client = await this.boot({ queue, role: 'rpc', prefetch: 100 });
  }

  call(body: BenchPayload) {
    return this.client!.call(this.queue, body);
  }

  async stop() {
    for (const app of this.apps.splice(0)) await app.close();
  }
}
