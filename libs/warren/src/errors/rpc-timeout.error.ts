import { describeTarget } from './describe-target';
import { WarrenError } from './warren.error';

/** No reply arrived within the request's timeout. The request may still be handled later. */
export class RpcTimeoutError extends WarrenError {
  readonly code = 'RPC_TIMEOUT';

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly timeoutMs: number,
  ) {
    super(
      `RPC ${describeTarget(exchange, routingKey)} got no reply within ${timeoutMs} ms. ` +
        'Check that a handler is consuming that routing key, or raise rpc.timeoutMs / the timeoutMs option.',
    );
  }

  /** `timeoutMs` under golevelup's name, for code written against its RpcTimeoutError. */
  get timeout(): number {
    return this.timeoutMs;
  }
}
