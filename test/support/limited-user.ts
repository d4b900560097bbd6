import { randomBytes } from 'crypto';
import { BROKER_URL } from './broker';
import { management, managementBase } from './target';

/** The target's management API (test/support/target.ts), re-exported for the attack tests that use it from here. */
export { management, managementBase };

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
