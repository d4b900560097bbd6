import { Test } from '@nestjs/testing';
import { BrokerConnectionError, WarrenModule, WarrenModuleOptions } from 'nestjs-warren';
import { BROKER_URL, unique } from './support/broker';
import { createLimitedUser, LimitedUser, management, managementBase } from './support/limited-user';

async function failure(options: WarrenModuleOptions): Promise<{ error: Error & { code?: string }; ms: number }> {
  const started = Date.now();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [WarrenModule.forRoot({ logger: false, ...options })] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.close();
  } catch (e) {
    return { error: e as Error, ms: Date.now() - started };
  }
  throw new Error('start-up was expected to fail');
}

describe('start-up errors a user can act on (real broker)', () => {
  let user: LimitedUser;
  const vhost = unique('warren-vhost');
  beforeAll(async () => {
    user = await createLimitedUser({ configure: '.*', write: '.*', read: '.*' });
    await management('PUT', `/vhosts/${encodeURIComponent(vhost)}`);
  });
  afterAll(async () => {
    await management('DELETE', `/vhosts/${encodeURIComponent(vhost)}`).catch(() => undefined);
    await user.remove();
  });

  it('carries the broker\'s reply code and text when it closes the connection during setup', async () => {
    const { error, ms } = await failure({
      uri: BROKER_URL,
      exchanges: [{ name: unique('delayed'), type: 'x-delayed-message' }],
      connection: { connectTimeoutMs: 5_000 },
    });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    // RabbitMQ 3.x answers 503 COMMAND_INVALID, 4.x 406 PRECONDITION_FAILED; either way its own words reach the user.
    const refusal = error as BrokerConnectionError & { replyCode?: number; replyName?: string; replyText?: string };
    expect(error).toMatchObject({ code: 'BROKER_UNREACHABLE' });
    expect([[503, 'COMMAND_INVALID'], [406, 'PRECONDITION_FAILED']]).toContainEqual([refusal.replyCode, refusal.replyName]);
    expect(refusal.replyText).toContain('x-delayed-message');
    expect(error.message).toContain(`${refusal.replyCode} ${refusal.replyName}`);
    expect(error.message).toContain('x-delayed-message');
    expect(error.message).not.toMatch(/Channel ended|running and reachable/);
    expect(ms).toBeLessThan(4_000);
  });

  it('carries the broker\'s reply when it closes the topology channel (an exchange declared with another type)', async () => {
    const name = unique('fanout');
    const { vhost: testVhost } = managementBase();
    await management('PUT', `/exchanges/${encodeURIComponent(testVhost)}/${encodeURIComponent(name)}`, { type: 'fanout', durable: true });
    try {
      const { error, ms } = await failure({ uri: BROKER_URL, exchanges: [{ name, type: 'topic' }], connection: { connectTimeoutMs: 5_000 } });
      expect(error).toBeInstanceOf(BrokerConnectionError);
      expect(error).toMatchObject({ replyCode: 406, replyName: 'PRECONDITION_FAILED' });
      expect(error.message).toContain(`406 PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${name}'`);
      expect(ms).toBeLessThan(4_000);
    } finally {
      await management('DELETE', `/exchanges/${encodeURIComponent(testVhost)}/${encodeURIComponent(name)}`).catch(() => undefined);
    }
  });

  it('fails at once on a wrong password', async () => {
    const url = new URL(user.url);
    url.password = 'not-' + user.password;
    const { error, ms } = await failure({ uri: url.toString(), connection: { connectTimeoutMs: 5_000 } });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error).toMatchObject({ replyCode: 403, replyName: 'ACCESS_REFUSED' });
    expect(error.message).toContain(`refused the login of user '${user.user}'`);
    expect(error.message).not.toContain(user.password);
    expect(ms).toBeLessThan(2_000);
  });

  it('names the vhost and the user when the vhost does not exist', async () => {
    const missing = unique('no-such-vhost');
    const url = new URL(user.url);
    url.pathname = '/' + encodeURIComponent(missing);
    const { error, ms } = await failure({ uri: url.toString(), connection: { connectTimeoutMs: 5_000 } });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toContain(`vhost '${missing}': it does not exist or user '${user.user}' may not use it`);
    expect(error.message).not.toContain('ConnectionOpenOk');
    expect(ms).toBeLessThan(2_000);
  });

  it('names the vhost and the user when the user may not use it', async () => {
    const url = new URL(user.url);
    url.pathname = '/' + encodeURIComponent(vhost);
    const { error, ms } = await failure({ uri: url.toString(), connection: { connectTimeoutMs: 5_000 } });
    expect(error).toBeInstanceOf(BrokerConnectionError);
    expect(error.message).toContain(`vhost '${vhost}': it does not exist or user '${user.user}' may not use it`);
    expect(ms).toBeLessThan(2_000);
  });
});
