import 'reflect-metadata';
import { Global, Injectable, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Parser } from '@asyncapi/parser';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { z } from 'zod';
import { RabbitRPC, RabbitSubscribe } from '../decorators/rabbit-handler.decorators';
import { Component, ComponentMethod } from '../components/component.decorators';
import { ComponentsModule } from '../components/components.module';
import { defineEvent } from '../contracts/contracts';
import { WarrenTestingModule } from '../testing/warren-testing.module';
import { MemoryBroker } from '../testing/memory/memory-broker';
import { memoryConnector } from '../testing/memory/memory-connection';
import { WARREN_CONNECTOR } from '../connection/broker-link';
import { WarrenModule } from '../warren.module';
import type { WarrenModuleOptions } from '../interfaces';
import type { AsyncApiDocument } from './asyncapi.types';
import { WarrenAsyncApi, getAsyncApiToken } from './warren-asyncapi';

class NoteDto {
  @IsString()
  text!: string;

  @IsOptional()
  @IsInt()
  priority?: number;
}

const noteSchema = z.object({ text: z.string(), tags: z.array(z.string()).optional() });
/** A Standard Schema from a library without the JSON Schema interface. */
const opaque = { '~standard': { version: 1, vendor: 'acme', validate: (value: unknown) => ({ value }) } };

@Injectable()
class Handlers {
  @RabbitSubscribe({ exchange: 'notes', routingKey: 'note.zod', queue: 'notes.zod', ...({ schema: noteSchema } as object) })
  zod(note: unknown) {
    return note;
  }

  @RabbitSubscribe({ exchange: 'notes', routingKey: 'note.opaque', queue: 'notes.opaque', retry: false, ...({ schema: opaque } as object) })
  opaque(note: unknown) {
    return note;
  }

  /** Server-named queue, a fanout exchange, no DTO. */
  @RabbitSubscribe({ exchange: 'broadcast', routingKey: '' })
  any(note: unknown) {
    return note;
  }

  @RabbitRPC({ queue: 'notes.direct' })
  direct(note: NoteDto) {
    return note;
  }
}

@Injectable()
@Component('Calculator', { version: '2.1.0' })
class Calculator {
  @ComponentMethod()
  add(a: number, b: number): number {
    return a + b;
  }
}

/** The in-memory broker under a named WarrenModule (WarrenTestingModule serves the default connection). */
@Global()
@Module({ providers: [{ provide: WARREN_CONNECTOR, useValue: memoryConnector(new MemoryBroker()) }], exports: [WARREN_CONNECTOR] })
class MemoryConnectorModule {}

async function documentOf(options: WarrenModuleOptions, extra: { components?: boolean } = {}): Promise<AsyncApiDocument> {
  const moduleRef = await Test.createTestingModule({
    imports: [WarrenTestingModule.forRoot({ logger: false, ...options }), ...(extra.components ? [ComponentsModule.forRoot()] : [])],
    providers: [Handlers, ...(extra.components ? [Calculator] : [])],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  try {
    return app.get(WarrenAsyncApi).document({ title: 'notes', version: '3.2.1' });
  } finally {
    await app.close();
  }
}

async function errorsOf(document: AsyncApiDocument): Promise<string[]> {
  const diagnostics = await new Parser().validate(document as never);
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.message} at ${d.path.join('/')}`);
}

describe('WarrenAsyncApi (in memory)', () => {
  const exchanges = [{ name: 'notes', type: 'topic' as const }, { name: 'broadcast', type: 'fanout' as const }];
  let document: AsyncApiDocument;

  beforeAll(async () => {
    document = await documentOf(
      { exchanges, uri: 'amqps://writer:hunter2-secret@mq.example.com/prod?heartbeat=5', contracts: [defineEvent({ exchange: 'notes', routingKey: 'note.sent', payload: NoteDto })] },
      { components: true },
    );
  });

  it('parses with no errors, and carries the info given', async () => {
    expect(await errorsOf(document)).toEqual([]);
    expect(document.info).toMatchObject({ title: 'notes', version: '3.2.1' });
  });

  it('names the broker by host, port and virtual host only', () => {
    expect(document.servers).toEqual({ rabbitmq: { host: 'mq.example.com:5671', protocol: 'amqps', protocolVersion: '0.9.1', pathname: '/prod' } });
    const text = JSON.stringify(document);
    for (const secret of ['hunter2-secret', 'writer', 'heartbeat']) expect(text).not.toContain(secret);
  });

  it("takes a Standard Schema's JSON Schema (zod 4), and a placeholder naming the vendor without one", () => {
    const zod = Object.values(document.components.messages).find((m) => m.name === 'Handlers_zod_payload');
    expect(zod?.payload).toEqual({ type: 'object', properties: { text: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } } }, required: ['text'] });
    const opaqueMessage = Object.values(document.components.messages).find((m) => m.name === 'Handlers_opaque_payload');
    expect(opaqueMessage?.payload).toMatchObject({ 'x-warren-standard-schema': 'acme' });
  });

  it('describes a server-named queue with a null address, and a handler without a DTO as any payload', () => {
    const queue = Object.values(document.channels).find((c) => c.title === '(server-named queue of Handlers.any)');
    expect(queue).toMatchObject({ address: null, bindings: { amqp: { is: 'queue', queue: { exclusive: true, durable: false, autoDelete: true } } } });
    const fanout = Object.values(document.channels).find((c) => (c.bindings?.amqp.exchange as { name?: string } | undefined)?.name === 'broadcast');
    expect(fanout?.bindings?.amqp.exchange).toMatchObject({ type: 'fanout' });
    expect(document.operations.Handlers_any.messages).toEqual([{ $ref: `#/channels/broadcast__all/messages/AnyEvent` }]);
  });

  it('consumes a queue without an exchange on the queue channel itself', () => {
    expect(document.operations.Handlers_direct.channel).toEqual({ $ref: '#/channels/queue__notes_direct' });
    expect(document.channels.queue__notes_direct.address).toBe('notes.direct');
  });

  it("lists each @ComponentMethod as a request of the component's consumer", () => {
    const call = document.components.messages.Calculator_add_request;
    expect(call.payload).toMatchObject({ properties: { method: { const: 'add' }, args: { properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] } } });
    const op = Object.values(document.operations).find((o) => o['x-warren-handler'] === 'Component(Calculator)');
    expect(op?.messages).toEqual([{ $ref: '#/channels/warren_components__Calculator/messages/Calculator_add_request' }]);
    expect(document.channels.warren_components__Calculator.bindings?.amqp.exchange).toMatchObject({ name: 'warren.components', type: 'direct' });
  });

  it('sends the contracts the module lists', () => {
    expect(document.operations.publish__notes__note_sent).toMatchObject({ action: 'send', messages: [{ $ref: '#/channels/notes__note_sent/messages/NoteDto' }] });
    expect(document.components.schemas.NoteDto).toEqual({ type: 'object', properties: { text: { type: 'string' }, priority: { type: 'integer' } }, required: ['text'] });
  });

  it('is the same document on every call (stable keys and order)', async () => {
    const again = await documentOf(
      { exchanges, uri: 'amqps://writer:hunter2-secret@mq.example.com/prod?heartbeat=5', contracts: [defineEvent({ exchange: 'notes', routingKey: 'note.sent', payload: NoteDto })] },
      { components: true },
    );
    expect(JSON.stringify(again)).toBe(JSON.stringify(document));
  });

  it("is injectable by name for a named connection, describing only that connection's handlers", async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MemoryConnectorModule, WarrenModule.forRoot({ logger: false, name: 'analytics', exchanges, uri: 'amqp://a:b@analytics-mq' })],
      providers: [Handlers],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const named = app.get<WarrenAsyncApi>(getAsyncApiToken('analytics')).document();
      expect(named.servers.rabbitmq.host).toBe('analytics-mq:5672');
      expect(named.operations).toEqual({}); // the handlers name no connection: they belong to the default one
    } finally {
      await app.close();
    }
  });
});
