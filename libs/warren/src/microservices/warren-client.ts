import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { Warren, createWarren } from '../warren.standalone';
import { routingKeyOf, transportModuleOptions } from './transport-pattern';
import type { WarrenTransportOptions } from './warren-transport-options.interface';

/**
 * A `ClientProxy` over Warren: `send(pattern, data)` is an RPC over direct reply-to (Warren's
 * timeouts; a remote error arrives as `RemoteError`, an unroutable request errors at once), and
 * `emit(pattern, data)` a confirmed, mandatory publish. Works against `WarrenServer` and against
 * `@RabbitRPC` / `@RabbitSubscribe` handlers bound on the same exchange and routing keys.
 *
 *   ClientsModule.register([{ name: 'MATH', customClass: WarrenClient, options: { uri } }])
 */
export class WarrenClient extends ClientProxy {
  private warren?: Promise<Warren>;
  private readonly exchange: string;

  constructor(private readonly options: WarrenTransportOptions = {}) {
    super();
    this.exchange = transportModuleOptions(options).exchange;
  }

  connect(): Promise<Warren> {
    this.warren ??= createWarren({ ...transportModuleOptions(this.options).module, registerHandlers: false }).catch((error: unknown) => {
      this.warren = undefined; // the next call tries again
      throw error;
    });
    return this.warren;
  }

  async close(): Promise<void> {
    const warren = this.warren;
    this.warren = undefined;
    await (await warren?.catch(() => undefined))?.close();
  }

  override on(): never {
    throw new WarrenConfigurationError('WarrenClient has no events to listen to; Warren logs connection changes itself');
  }

  unwrap<T>(): T {
    if (!this.warren) throw new WarrenConfigurationError('WarrenClient is not connected yet');
    return this.warren as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const routingKey = routingKeyOf(this.normalizePattern(packet.pattern));
    this.connect()
      .then((warren) => warren.rpc.request(this.exchange, routingKey, packet.data))
      .then(
        (response) => callback({ response, isDisposed: true }),
        (err: unknown) => callback({ err, isDisposed: true }),
      );
    // A request already sent cannot be taken back; its late reply is dropped by the closed observer.
    return () => undefined;
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const warren = await this.connect();
    await warren.producer.publish(this.exchange, routingKeyOf(this.normalizePattern(packet.pattern)), packet.data);
    return undefined as T;
  }
}
