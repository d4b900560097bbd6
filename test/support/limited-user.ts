import { randomBytes } from 'crypto';
import { BROKER_URL } from './broker';

/**
 * The management API of the broker the tests are pointed at: WARREN_MANAGEMENT_URL, else
 * http://<RABBITMQ_URL's host>:15672. Credentials come from RABBITMQ_URL and go in a header.
 */
export function managementBase(): { base: string; authorization: string; vhost: string } {
  const url = new URL(BROKER_URL);
  const base = (process.env.WARREN_MANAGEMENT_URL ?? `http://${url.hostname}:15672`).replace(/\/$/, '');
  const user = decodeURIComponent(url.username || 'guest');
  const password = decodeURIComponent(url.password || 'guest');
  const vhost = url.pathname && url.pathname !== '/' ? decodeURIComponent(url.pathname.slice(1)) : '/';
  return { base, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, vhost };
}

/** One call to the management API; throws with the status when it is not 2xx. */
export async function management(method: string, path: string, body?: unknown): Promise<unknown> {
  const { base, authorization } = managementBase();
  const response = await fetch(`${base}/api${path}`, {
    method,
    headers: { authorization, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`management ${method} ${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? JSON.parse(text) : undefined;
}

export interface LimitedPermissions {
  /** Regular expressions over resource names, as in `rabbitmqctl set_permissions`. @default '^$' each */
  configure?: string;
  write?: string;
  read?: string;
  /** Topic permission on one exchange (routing keys the user may publish with). */
  topic?: { exchange: string; write: string; read?: string };
  /** Broker tags (e.g. 'management'); none by default. */
  tags?: string;
}

export interface LimitedUser {
  user: string;
  password: string;
  /** RABBITMQ_URL with this user's credentials. */
  url: string;
  remove(): Promise<void>;
}

/**
 * A broker user with only the permissions given, on the tests' vhost, for attacks that must be
 * tried as a sender the broker limits. Call `remove()` in afterAll/finally.
 */
export async function createLimitedUser(permissions: LimitedPermissions): Promise<LimitedUser> {
  const { vhost } = managementBase();
  const user = `warren-test-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const v = encodeURIComponent(vhost);
  await management('PUT', `/users/${user}`, { password, tags: permissions.tags ?? '' });
  const remove = async () => {
    await management('DELETE', `/users/${user}`).catch(() => undefined);
  };
  try {
    await management('PUT', `/permissions/${v}/${user}`, {
      configure: permissions.configure ?? '^$',
      write: permissions.write ?? '^$',
      read: permissions.read ?? '^$',
    });
    if (permissions.topic) {
      await management('PUT', `/topic-permissions/${v}/${user}`, {
        exchange: permissions.topic.exchange,
        write: permissions.topic.write,
        read: permissions.topic.read ?? '.*',
      });
    }
  } catch (error) {
    await remove();
    throw error;
  }
  const url = new URL(BROKER_URL);
  url.username = user;
  url.password = password;
  return { user, password, url: url.toString(), remove };
}
