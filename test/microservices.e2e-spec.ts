import { Controller, INestApplication, INestMicroservice, Injectable, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, MessagePattern, MicroserviceOptions, Payload } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { RabbitPayload, RabbitRPC, RpcClient, UnroutableMessageError, WarrenModule } from 'nestjs-warren';
import { WarrenClient, WarrenRpcExceptionFilter, WarrenServer } from 'nestjs-warren/microservices';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';

/** What only the Warren transport does: dead letters for failed events, mandatory emits, one topology for both handler styles. */
describe('Warren as a Nest microservices transport (real broker)', () => {
  const exchange = unique('ms');
  const queue = unique('q.ms');
  const legacyQueue = unique('q.ms.legacy');
  const seen: string[] = [];
  let service: INestMicroservice;
  let legacy: INestApplication;
  let client: WarrenClient;
  let raw: RawClient;

  @Controller()
  @UseFilters(new WarrenRpcExceptionFilter()) // keeps the error's own message (Nest would send 'Internal server error')
  class Events {
    @EventPattern('order.*')
    onOrder(@Payload() event: { id: string; fail?: boolean }) {
      seen.push(event.id);
      if (event.fail) throw new Error(`cannot handle ${event.id}`);
    }

    @MessagePattern('fail')
    fail() {
      throw Object.assign(new Error('plain failure'), { code: 'PLAIN' });
    }

    @MessagePattern('slow.echo')
    async slowEcho(@Payload() value: unknown) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return value;
    }
  }

  @Injectable()
  class Legacy {
    @RabbitRPC({ exchange, routingKey: 'legacy.echo', queue: legacyQueue })
    echo(@RabbitPayload() value: unknown) {
      return { legacy: value };
    }
  }

  beforeAll(async () => {
    raw = await RawClient.connect();
    service = await NestFactory.createMicroservice<MicroserviceOptions>(
      { module: class ServiceModule {}, controllers: [Events] },
      { strategy: new WarrenServer({ uri: BROKER_URL, exchange, queue, retry: false }), logger: false },
    );
    await service.listen();
    legacy = await startApp({ imports: [WarrenModule.forRoot({ exchanges: [{ name: exchange, type: 'topic' }] })], providers: [Legacy] });
    client = new WarrenClient({ uri: BROKER_URL, exchange, logger: false });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await closeAll(legacy);
    await service?.close();
    await raw.deleteQueues(queue, legacyQueue);
    await raw.deleteExchanges(exchange);
    await raw.close();
  });

  it('an @EventPattern with a wildcard gets matching events; a failing one is parked with the reason', async () => {
    await lastValueFrom(client.emit('order.created', { id: 'ok-1' }), { defaultValue: undefined });
    await lastValueFrom(client.emit('order.paid', { id: 'bad-1', fail: true }), { defaultValue: undefined });
    await waitFor(async () => (await raw.ready(`${queue}.dlq`)) === 1, 'the failed event parked');
    const [parked] = await raw.drain(`${queue}.dlq`);
    expect(parked.properties.headers?.['warren-error']).toMatch(/cannot handle bad-1/);
    expect(seen).toEqual(['ok-1', 'bad-1']);
  });

  it('with WarrenRpcExceptionFilter a plain error reaches the caller with its code and message', async () => {
    await expect(lastValueFrom(client.send('fail', {}))).rejects.toMatchObject({ code: 'PLAIN', message: 'plain failure' });
  });

  it('emit is a mandatory publish: an event nobody is bound for errors at once', async () => {
    await expect(lastValueFrom(client.emit('nobody.listens', {}), { defaultValue: undefined })).rejects.toBeInstanceOf(UnroutableMessageError);
  });

  it('WarrenClient.send reaches a @RabbitRPC handler on the same exchange (one topology, two styles)', async () => {
    await expect(lastValueFrom(client.send('legacy.echo', { n: 1 }))).resolves.toEqual({ legacy: { n: 1 } });
  });

  it("Warren's RpcClient calls a @MessagePattern handler served by WarrenServer", async () => {
    await expect(legacy.get(RpcClient).request(exchange, 'slow.echo', { n: 3 })).resolves.toEqual({ n: 3 });
  });

  it('closing the microservice waits for an in-flight request, and its reply still arrives', async () => {
    const reply = lastValueFrom(client.send('slow.echo', { n: 2 }));
    await waitFor(async () => (await raw.ready(queue)) === 0, 'the request taken by the service');
    await service.close();
    await expect(reply).resolves.toEqual({ n: 2 });
  });
});
