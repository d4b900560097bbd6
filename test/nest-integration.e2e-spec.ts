import {
  INestApplication,
  Injectable,
  ParseIntPipe,
  PipeTransform,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import {
  MessageProducer,
  RabbitHeader,
  RabbitPayload,
  RabbitRPC,
  RabbitSubscribe,
  RemoteError,
  RpcClient,
  WarrenModule,
} from 'nestjs-warren';
import { closeAll, startApp } from './support/app';
import { BROKER_URL, RawClient, unique, waitFor } from './support/broker';
import { TenantGuard, WrapInterceptor } from './support/enhancers';

@Injectable()
class UpperPipe implements PipeTransform {
  transform(value: unknown) {
    return typeof value === 'string' ? value.toUpperCase() : value;
  }
}

/** Guards, interceptors and pipes apply to Warren handlers; forRootAsync reads ConfigService. */
describe('Nest integration (real broker)', () => {
  const queue = unique('q.enhanced');
  const eventsQueue = unique('q.events');
  const seen: string[] = [];

  @Injectable()
  class EnhancedService {
    @RabbitRPC({ queue, routingKey: queue })
    @UseGuards(TenantGuard)
    @UseInterceptors(WrapInterceptor)
    guarded(@RabbitPayload('word', UpperPipe) word: string, @RabbitHeader('count', ParseIntPipe) count: number) {
      return `${word}x${count}`;
    }

    @RabbitSubscribe({ queue: eventsQueue })
    onEvent(@RabbitPayload() text: string) {
      seen.push(text);
    }
  }

  let app: INestApplication;

  beforeAll(async () => {
    process.env.WARREN_TEST_URI = BROKER_URL;
    app = await startApp({
      imports: [
        ConfigModule.forRoot({ ignoreEnvFile: true }),
        WarrenModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService) => ({
            uri: config.getOrThrow<string>('WARREN_TEST_URI'),
            rpc: { timeoutMs: 3_000 },
          }),
        }),
      ],
      providers: [EnhancedService],
    });
  });

  afterAll(async () => {
    await closeAll(app);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue, eventsQueue);
    await raw.close();
  });

  it('runs pipes on params, then the interceptor on the result, when the guard allows', async () => {
    const result = await app.get(RpcClient).request('', queue, { word: 'hey' }, { headers: { tenant: 'acme', count: '3' } });
    expect(result).toEqual({ wrapped: 'HEYx3' });
  });

  it('reports a guard refusal to the caller as a RemoteError', async () => {
    const error = (await app
      .get(RpcClient)
      .request('', queue, { word: 'hey' }, { headers: { tenant: 'other', count: '3' } })
      .catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toBe('Forbidden resource');
  });

  it('reports a failing pipe (ParseIntPipe) as a RemoteError', async () => {
    const error = (await app
      .get(RpcClient)
      .request('', queue, { word: 'hey' }, { headers: { tenant: 'acme', count: 'many' } })
      .catch((e: unknown) => e)) as RemoteError;
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.message).toContain('numeric string is expected');
  });

  it('connects with options from forRootAsync and consumes', async () => {
    await app.get(MessageProducer).publish('', eventsQueue, 'configured');
    await waitFor(() => seen.length === 1, 'event');
    expect(seen).toEqual(['configured']);
  });
});
