import { WarrenLogger } from '../logging/warren-logger';
import { resolveOptions } from '../warren-options';
import { golevelupConfig } from './golevelup-config';

describe('golevelupConfig', () => {
  const logger = new WarrenLogger('Test', false);

  it('turns on TCP_NODELAY and sets heartbeat, reconnect delay and connection name by default', () => {
    const config = golevelupConfig(resolveOptions({}, {}), logger);
    expect(config.connectionManagerOptions).toMatchObject({
      heartbeatIntervalInSeconds: 5,
      reconnectTimeInSeconds: 1,
      connectionOptions: { noDelay: true, clientProperties: { connection_name: 'warren' } },
    });
    expect(config.registerHandlers).toBe(false);
    expect(config.enableDirectReplyTo).toBe(false);
    expect(config.connectionInitOptions).toMatchObject({ wait: true, reject: true, timeout: 5_000 });
  });

  it("keeps the user's pass-through options but not over Warren's own", () => {
    const options = resolveOptions(
      {
        connection: { noDelay: false, name: 'billing' },
        golevelup: {
          queues: [{ name: 'extra' }],
          connectionManagerOptions: { connectionOptions: { noDelay: true, timeout: 1234 } as any },
        },
      },
      {},
    );
    const config = golevelupConfig(options, logger);
    expect(config.queues).toEqual([{ name: 'extra' }]);
    expect(config.connectionManagerOptions?.connectionOptions).toMatchObject({ noDelay: false, timeout: 1234 });
    expect(config.name).toBe('billing');
  });

  it('declares exchanges as durable topic exchanges unless told otherwise', () => {
    const config = golevelupConfig(resolveOptions({ exchanges: [{ name: 'a' }, { name: 'b', type: 'fanout', options: { durable: false } }] }, {}), logger);
    expect(config.exchanges).toEqual([
      { name: 'a', type: 'topic', options: { durable: true } },
      { name: 'b', type: 'fanout', options: { durable: false } },
    ]);
  });
});
