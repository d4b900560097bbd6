/** The few management HTTP API calls the CLI needs (listing queues has no AMQP equivalent). */
export interface QueueInfo {
  name: string;
  vhost: string;
  messages: number;
  /** Seconds since epoch of the oldest message, when the broker knows it. */
  head_message_timestamp?: number;
}

/** http(s)://host:15672 for an amqp(s) URL, with its credentials and vhost. */
export function managementTarget(amqpUrl: string, managementUrl?: string): { base: string; auth: string; vhost: string } {
  const url = new URL(amqpUrl);
  const user = decodeURIComponent(url.username || 'guest');
  const pass = decodeURIComponent(url.password || 'guest');
  const base = managementUrl ?? `${url.protocol === 'amqps:' ? 'https' : 'http'}://${url.hostname}:15672`;
  const vhost = url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname.slice(1)) : '/';
  return { base: base.replace(/\/$/, ''), auth: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`, vhost };
}

export async function listQueues(amqpUrl: string, managementUrl?: string): Promise<QueueInfo[]> {
  const { base, auth, vhost } = managementTarget(amqpUrl, managementUrl);
  let response: Response;
  try {
    response = await fetch(`${base}/api/queues/${encodeURIComponent(vhost)}?columns=name,vhost,messages,head_message_timestamp`, {
      headers: { authorization: auth },
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new Error(
      `Cannot reach the RabbitMQ management API at ${base} (${(error as Error).message}). ` +
        'Listing queues needs the management plugin: rabbitmq-plugins enable rabbitmq_management (or pass --management-url).',
    );
  }
  if (!response.ok) throw new Error(`The management API at ${base} answered HTTP ${response.status} (check the user's management tag)`);
  return (await response.json()) as QueueInfo[];
}
