import { Controller, Get, INestApplication, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { MessageProducer, RabbitSubscribe, WarrenConsumers, WarrenModule, WarrenStatus } from 'nestjs-warren';
import { WarrenHealthIndicator, WarrenHealthModule } from 'nestjs-warren/health';
import { closeAll } from './support/app';
import { RawClient, unique, waitFor } from './support/broker';
import { restoreBroker, startBrokerApp, stopBrokerApp } from './support/chaos';
import { rabbitmqctl } from './support/target';

/** Readiness as a probe sees it: GET /health through @nestjs/terminus, and WarrenStatus directly. */
describe('health (real broker)', () => {
  const queue = unique('q.health');
  let app: INestApplication;
  let base: string;

  @Injectable()
  class Worker {
    @RabbitSubscribe({ queue, queueOptions: { durable: false } })
    handle() {}
  }

  @Controller()
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly warren: WarrenHealthIndicator,
    ) {}

    @Get('health')
    @HealthCheck()
    check() {
      return this.health.check([() => this.warren.isHealthy()]);
    }
  }

  const probe = async () => {
    const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as { status: string; info?: Record<string, any>; error?: Record<string, any> } };
  };

  beforeAll(async () => {
    app = await NestFactory.create(
      { module: class HealthApp {}, imports: [WarrenModule.forRoot({ logger: false, connection: { reconnectDelayMs: 200 } }), TerminusModule, WarrenHealthModule], providers: [Worker], controllers: [HealthController] },
      { logger: false },
    );
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await restoreBroker();
    await closeAll(app);
    const raw = await RawClient.connect();
    await raw.deleteQueues(queue);
    await raw.close();
  });

  it('is up with details per connection and consumer; a paused consumer is reported as paused, not as a failure', async () => {
    const up = await probe();
    expect(up.status).toBe(200);
    expect(up.body.info?.rabbitmq).toMatchObject({
      status: 'up',
      connection: { name: 'warren', connected: true },
      publishConnection: { name: 'warren.publish', connected: true },
      consumers: [{ queue, attached: true, paused: false, inFlight: 0 }],
    });
    await app.get(WarrenConsumers).pause(queue);
    try {
      const paused = await probe();
      expect(paused.status).toBe(200);
      expect(paused.body.info?.rabbitmq.consumers[0]).toMatchObject({ queue, paused: true, attached: false });
    } finally {
      await app.get(WarrenConsumers).resume(queue);
    }
  });

  it('a memory alarm that blocks publishers is down, with the reason; up again once lifted', async () => {
    const watermark = (await rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim();
    const events: Array<{ event: string; connection: string; reason?: string }> = [];
    const offs = (['blocked', 'unblocked'] as const).map((event) => app.get(WarrenStatus).on(event, (payload) => events.push({ event, ...payload })));
    try {
      await rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
      // The broker tells a connection it is blocked when it next publishes.
      app.get(MessageProducer).emit('', queue, { n: 1 });
      await waitFor(async () => (await probe()).status === 503, 'the probe to report the alarm', 20_000);
      const down = await probe();
      // Only the publishing connection is blocked: consumers keep consuming and acking.
      expect(down.body.error?.rabbitmq.publishConnection.blocked).toMatch(/memory/i);
      expect(down.body.error?.rabbitmq.connection.blocked).toBeUndefined();
      expect(app.get(WarrenStatus).check().problems.join()).toMatch(/blocks publishing/);
    } finally {
      await rabbitmqctl('set_vm_memory_high_watermark', /^[\d.]+$/.test(watermark) ? watermark : '0.4');
    }
    await waitFor(async () => (await probe()).status === 200, 'the probe to recover after the alarm', 20_000);
    offs.forEach((off) => off());
    // The events say the same, naming the publishing connection.
    expect(events.map(({ event, connection }) => [event, connection.endsWith('.publish')])).toEqual([
      ['blocked', true],
      ['unblocked', true],
    ]);
    expect(events[0].reason).toMatch(/memory/i);
  });

  it('is down while the broker is stopped, and up again after the reconnect', async () => {
    try {
      await stopBrokerApp();
      await waitFor(async () => (await probe()).status === 503, 'the probe to report the lost connection', 15_000);
      const down = await probe();
      expect(down.body.error?.rabbitmq.connection.connected).toBe(false);
      expect(down.body.error?.rabbitmq.publishConnection.connected).toBe(false);
      expect(down.body.error?.rabbitmq.problems.join()).toMatch(/not connected/);
    } finally {
      await startBrokerApp();
    }
    await waitFor(async () => (await probe()).status === 200, 'the probe to recover', 30_000);
  });
});
