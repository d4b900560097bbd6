import { ClientProvider, MicroserviceOptions, Transport } from '@nestjs/microservices';
import { WarrenClient, WarrenServer } from 'nestjs-warren/microservices';
import type { WarrenTransportOptions } from 'nestjs-warren/microservices';

/**
 * The transport switch: `TRANSPORT=warren` (RabbitMQ through Warren, the default) or `TRANSPORT=tcp`
 * (Nest's TCP transport). Service and caller code stay the same; only these options change.
 */
export type TransportName = 'warren' | 'tcp';

export function transportName(env: NodeJS.ProcessEnv = process.env): TransportName {
  const name = env.TRANSPORT ?? 'warren';
  if (name !== 'warren' && name !== 'tcp') throw new Error(`TRANSPORT must be 'warren' or 'tcp', got '${name}'`);
  return name;
}

const EXCHANGE = 'warren.demo.math';

/** The math service's Warren transport options (also what its AsyncAPI example is made with). */
export function warrenServerOptions(env: NodeJS.ProcessEnv = process.env): WarrenTransportOptions {
  return { uri: env.RABBITMQ_URL, exchange: EXCHANGE, queue: 'warren.demo.math-service' };
}

export function serverOptions(name: TransportName, env: NodeJS.ProcessEnv = process.env): MicroserviceOptions {
  if (name === 'tcp') return { transport: Transport.TCP, options: { host: '127.0.0.1', port: Number(env.MATH_TCP_PORT ?? 4100) } };
  return { strategy: new WarrenServer(warrenServerOptions(env)) };
}

export function clientOptions(name: TransportName, env: NodeJS.ProcessEnv = process.env): ClientProvider {
  if (name === 'tcp') return { transport: Transport.TCP, options: { host: '127.0.0.1', port: Number(env.MATH_TCP_PORT ?? 4100) } };
  return { customClass: WarrenClient, options: { uri: env.RABBITMQ_URL, exchange: EXCHANGE, timeoutMs: 5000 } };
}
