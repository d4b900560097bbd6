import * as amqplib from 'amqplib';

/** What a node says about itself through rabbitmqctl: its cluster name and the ports it is configured to listen on. */
export interface NodeIdentity {
  clusterName?: string;
  tcpPorts: number[];
  sslPorts: number[];
}

/**
 * An Erlang expression for `rabbitmqctl eval`: `{ClusterName, TcpPorts, SslPorts}`. It reads the listener
 * configuration (not the open sockets), so it answers while the broker app is stopped too.
 */
export const IDENTITY_EXPRESSION =
  'Ports = fun(K) -> case application:get_env(rabbit, K) of {ok, L} -> ' +
  '[case X of {_, P} -> P; {_, P, _} -> P; P -> P end || X <- L]; _ -> [] end end, ' +
  'Name = try rabbit_nodes:cluster_name() catch _:_ -> undefined end, ' +
  '{Name, Ports(tcp_listeners), Ports(ssl_listeners)}.';

const ports = (list: string): number[] => (list ? list.split(',').map(Number) : []);

/** Parses what `rabbitmqctl eval IDENTITY_EXPRESSION` prints, e.g. `{<<"rabbit@vm">>,[5672],[]}`. */
export function parseNodeIdentity(output: string): NodeIdentity {
  const match = /\{(?:<<"([^"]*)">>|undefined),\[([\d,]*)\],\[([\d,]*)\]\}/.exec(output.replace(/\s+/g, ''));
  if (!match) throw new Error(`unexpected answer to the listener query: ${output.trim().slice(0, 200)}`);
  return { clusterName: match[1] || undefined, tcpPorts: ports(match[2]), sslPorts: ports(match[3]) };
}

/** The cluster name the broker at `url` announces when a client connects, or undefined when it does not answer. */
export async function announcedClusterName(url: string, timeoutMs: number): Promise<string | undefined> {
  let connection: amqplib.ChannelModel;
  try {
    connection = await amqplib.connect(url, { timeout: timeoutMs });
  } catch {
    return undefined;
  }
  try {
    const name = connection.connection.serverProperties?.cluster_name;
    return typeof name === 'string' ? name : undefined;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
