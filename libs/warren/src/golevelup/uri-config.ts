import type { Options } from 'amqplib';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { RabbitMQUriConfig } from './rabbitmq-config.interface';

/** golevelup's `uri` (a string, amqplib's connect options, or a list of either) as URI strings. */
export function toUris(uri: RabbitMQUriConfig | RabbitMQUriConfig[]): string[] {
  return [uri].flat().map((entry) => (typeof entry === 'string' ? entry : fromConnectOptions(entry)));
}

function fromConnectOptions(options: Options.Connect): string {
  if (!options || typeof options !== 'object' || !options.hostname) {
    throw new WarrenConfigurationError("A uri given as connect options needs a 'hostname'");
  }
  const protocol = options.protocol ?? 'amqp';
  const credentials =
    options.username !== undefined && options.password !== undefined
      ? `${encodeURIComponent(options.username)}:${encodeURIComponent(options.password)}@`
      : '';
  const port = options.port ?? (protocol === 'amqps' ? 5671 : 5672);
  const vhost = options.vhost === undefined ? '' : `/${encodeURIComponent(options.vhost)}`;
  const query = new URLSearchParams();
  if (options.frameMax !== undefined) query.set('frameMax', String(options.frameMax));
  if (options.heartbeat !== undefined) query.set('heartbeat', String(options.heartbeat));
  if (options.locale !== undefined) query.set('locale', options.locale);
  const search = query.toString();
  return `${protocol}://${credentials}${options.hostname}:${port}${vhost}${search ? `?${search}` : ''}`;
}
