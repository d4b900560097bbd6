import type { LoggerService } from '@nestjs/common';
import { WarrenConfigurationError } from '../errors/configuration.error';
import type { WarrenModuleOptions } from '../interfaces';
import { WarrenLogger } from '../logging/warren-logger';
import { MemoryBroker } from '../testing/memory/memory-broker';
import { memoryConnector } from '../testing/memory/memory-connection';
import { resolveOptions } from '../warren-options';
import { BrokerConnection } from './broker-connection';

/** Finding 12 of issue 21: TLS could be weakened without a word. */
describe('transport security of the connection options', () => {
  it('refuses a failover list that mixes amqps:// and amqp:// (credentials would go in clear on fallback)', () => {
    for (const uri of [
      ['amqps://app:pw@a:5671', 'amqp://app:pw@b:5672'],
      ['amqp://app:pw@a', 'AMQPS://app:pw@b'],
      ['amqps://a', 'amqps://b', ' amqp://c'],
    ]) {
      expect(() => resolveOptions({ uri }, {})).toThrow(WarrenConfigurationError);
      expect(() => resolveOptions({ uri }, {})).toThrow(/connection\.allowPlaintextFallback/);
      expect(() => resolveOptions({ uri }, {})).not.toThrow(/pw@/);
    }
  });

  it('accepts the mix with connection.allowPlaintextFallback: true, and lists of one scheme', () => {
    expect(resolveOptions({ uri: ['amqps://a', 'amqp://b'], connection: { allowPlaintextFallback: true } }, {}).connection.allowPlaintextFallback).toBe(true);
    expect(resolveOptions({ uri: ['amqps://a', 'amqps://b'] }, {}).connection.allowPlaintextFallback).toBe(false);
    expect(() => resolveOptions({ uri: ['amqp://a', 'amqp://b'] }, {})).not.toThrow();
    expect(() => resolveOptions({}, { RABBITMQ_URL: 'amqps://a' })).not.toThrow();
  });

  it('rejects an allowPlaintextFallback that is not a boolean', () => {
    const options = { uri: ['amqps://a', 'amqp://b'], connection: { allowPlaintextFallback: 'yes' } } as unknown as WarrenModuleOptions;
    expect(() => resolveOptions(options, {})).toThrow(/connection\.allowPlaintextFallback/);
  });

  describe('start-up warnings', () => {
    const broker = new MemoryBroker();
    const connections: BrokerConnection[] = [];

    afterAll(async () => {
      for (const connection of connections) await connection.close();
    });

    async function warningsFor(options: WarrenModuleOptions): Promise<string[]> {
      const warnings: string[] = [];
      const target: LoggerService = { log: () => undefined, error: () => undefined, warn: (message: string) => void warnings.push(message) };
      connections.push(await BrokerConnection.connect(resolveOptions(options, {}), new WarrenLogger('Warren', target), memoryConnector(broker)));
      return warnings;
    }

    it('warns when connection.tls.rejectUnauthorized is false', async () => {
      const warnings = await warningsFor({ uri: 'amqps://app:pw@broker:5671', connection: { tls: { rejectUnauthorized: false } } });
      expect(warnings).toEqual([expect.stringMatching(/rejectUnauthorized.*false.*certificate/)]);
      expect(warnings.join()).not.toMatch(/pw@/);
    });

    it("warns when golevelup's pass-through connection options turn the check off", async () => {
      const warnings = await warningsFor({
        uri: 'amqps://broker:5671',
        golevelup: { connectionManagerOptions: { connectionOptions: { rejectUnauthorized: false } } },
      });
      expect(warnings).toEqual([expect.stringMatching(/rejectUnauthorized/)]);
    });

    it('warns when a plaintext fallback is allowed, naming the plaintext URIs without passwords', async () => {
      const warnings = await warningsFor({ uri: ['amqps://app:pw@a:5671', 'amqp://app:pw@b:5672'], connection: { allowPlaintextFallback: true } });
      expect(warnings).toEqual([expect.stringMatching(/amqp:\/\/app:\*\*\*@b:5672.*clear/)]);
    });

    it('says nothing for a TLS list with the certificate check on, or a plain list', async () => {
      expect(await warningsFor({ uri: ['amqps://a:5671', 'amqps://b:5671'], connection: { tls: { rejectUnauthorized: true } } })).toEqual([]);
      expect(await warningsFor({ uri: 'amqp://a' })).toEqual([]);
    });
  });
});
