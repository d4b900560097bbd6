import { ClientProxy, ReadPacket, WritePacket } from '@nestjs/microservices';
import { WarrenConfigurationError } from '../errors/configuration.error';
import { MESSAGES } from '../warren.messages';
import { Warren, createWarren } from '../warren.standalone';
import { publishOptionsOf, requestOptionsOf, unwrapRecord } from './rmq-record';
import { routingKeyOf, transportModuleOptions } from './transport-pattern';
import type { WarrenEventListener, WarrenEventName, WarrenTransportEvents } from '../connection/warren-events';
import { EventSubscriptions } from './event-subscriptions';
import type { WarrenTransportOptions } from './warren-transport-options.interface';

/**
 * A `ClientProxy` over Warren: `send(pattern, data)` is an RPC over direct reply-to (Warren's
 * timeouts; a remote error arrives as `RemoteError`, an unroutable request errors at once; an
 * Observable answer emits every value), and `emit(pattern, data)` a confirmed, mandatory publish.
 * `data` may be an `RmqRecord` (`RmqRecordBuilder`): its data is sent, its headers and properties
 * set on the message. Works against `WarrenServer` and against `@RabbitRPC` / `@RabbitSubscribe`
 * handlers bound on the same exchange and routing keys.
 *
 *   ClientsModule.register([{ name: 'MATH', customClass: WarrenClient, options: { uri } }])
 */
export class WarrenClient extends ClientProxy<WarrenTransportEvents> {
  private warren?: Promise<Warren>;
  private readonly exchange: string;
  private readonly subscriptions = new EventSubscriptions();
  private connected?: Warren;

  constructor(private readonly options: WarrenTransportOptions = {}) {
    super();
    this.exchange = transportModuleOptions(options).exchange;
  }

  /** Connects once (later calls share it); a failed connect rejects with `BrokerConnectionError` and the next call tries again. */
  connect(): Promise<Warren> {
    this.warren ??= createWarren({ ...transportModuleOptions(this.options).module, registerHandlers: false }).then(
      (warren) => {
        this.connected = warren;
        this.subscriptions.attach(warren.status);
        return warren;
      },
      (error: unknown) => {
        this.warren = undefined; // the next call tries again
        throw error;
      },
    );
    return this.warren;
  }

  async close(): Promise<void> {
    const warren = this.warren;
    this.warren = undefined;
    this.connected = undefined;
    this.subscriptions.detach();
    await (await warren?.catch(() => undefined))?.close();
  }

  /**
   * Subscribes to Warren's connection and consumer events (`WarrenStatus.on`); subscriptions made
   * before the client connects start once it has.
   */
  override on<E extends WarrenEventName = WarrenEventName, C extends WarrenTransportEvents[E] = WarrenTransportEvents[E]>(event: E, callback: C): void {
    this.subscriptions.on(event, callback as WarrenEventListener<E>, this.connected?.status);
  }

  unwrap<T>(): T {
    if (!this.warren) throw new WarrenConfigurationError(MESSAGES.transportNotStarted('WarrenClient', 'connected'));
    return this.warren as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const routingKey = routingKeyOf(this.normalizePattern(packet.pattern));
    const { data, options } = unwrapRecord(packet.data);
    let unsubscribed = false;
    // Every value of a streamed answer but the last arrives here; the last settles the request.
    const onValue = (response: unknown) => unsubscribed || callback({ response, isDisposed: false });
    this.connect()
      .then((warren) => warren.rpc.request(this.exchange, routingKey, data, { ...requestOptionsOf(options), onValue }))
      .then(
        (response) => callback({ response, isDisposed: true }),
        (err: unknown) => callback({ err, isDisposed: true }),
      );
    // A request already sent cannot be taken back; later replies are dropped.
    return () => {
      unsubscribed = true;
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const warren = await this.connect();
    const { data, options } = unwrapRecord(packet.data);
    await warren.producer.publish(this.exchange, routingKeyOf(this.normalizePattern(packet.pattern)), data, publishOptionsOf(options));
    return undefined as T;
  }
}
