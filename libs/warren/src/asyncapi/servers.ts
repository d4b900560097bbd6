import type { AsyncApiServer } from './asyncapi.types';

export interface DescribedServers {
  servers: Record<string, AsyncApiServer>;
  /** The virtual host of the first broker, for the AMQP bindings. */
  vhost: string;
}

/**
 * The brokers of the connection, in failover order. Only the scheme, host, port and virtual host
 * of each URI are read: user, password, query (and anything unparsable) never reach the document.
 */
export function describeServers(uris: readonly string[]): DescribedServers {
  const parsed = uris.map(parse).filter((server): server is AsyncApiServer & { vhost: string } => server !== undefined);
  const servers: Record<string, AsyncApiServer> = {};
  parsed.forEach(({ vhost: _vhost, ...server }, i) => {
    const key = parsed.length === 1 ? 'rabbitmq' : `rabbitmq_${i + 1}`;
    servers[key] = parsed.length === 1 ? server : { ...server, description: `Broker ${i + 1} of ${parsed.length}, in the order Warren tries them` };
  });
  return { servers, vhost: parsed[0]?.vhost ?? '/' };
}

function parse(uri: string): (AsyncApiServer & { vhost: string }) | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'amqp:' && url.protocol !== 'amqps:') || !url.hostname) return undefined;
  const protocol = url.protocol === 'amqps:' ? 'amqps' : 'amqp';
  const port = url.port || (protocol === 'amqps' ? '5671' : '5672');
  const path = url.pathname;
  let vhost = '/';
  try {
    if (path.length > 1) vhost = decodeURIComponent(path.slice(1));
  } catch {
    return undefined;
  }
  const server: AsyncApiServer & { vhost: string } = { host: `${url.hostname}:${port}`, protocol, protocolVersion: '0.9.1', vhost };
  if (path.length > 1) server.pathname = path;
  return server;
}
