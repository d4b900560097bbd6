import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { amqplibInstrumented, startSend } from './warren-tracing';
import { amqplibFile } from '../connection/amqplib-files';

const channelModel = amqplibFile<{ Channel: { prototype: { publish: (...args: unknown[]) => unknown } } }>('channel_model');

describe('trace context injection', () => {
  beforeAll(() => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new BasicTracerProvider());
  });

  afterAll(() => {
    trace.disable();
    propagation.disable();
  });

  it("injects traceparent into a copy of the headers (the caller's object is untouched)", () => {
    const given = { a: 1 };
    const send = startSend({ exchange: 'x', routingKey: 'k' }, given);
    send.end();
    expect(send.headers).toEqual({ a: 1, traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/) });
    expect(given).toEqual({ a: 1 });
  });

  it('defers to @opentelemetry/instrumentation-amqplib when it has wrapped amqplib: nothing is injected twice', () => {
    const original = channelModel.Channel.prototype.publish;
    // What the instrumentation's shimmer leaves behind on the methods it wraps.
    channelModel.Channel.prototype.publish = Object.assign((...args: unknown[]) => original(...args), { __wrapped: true });
    try {
      expect(amqplibInstrumented()).toBe(true);
      const send = startSend({ exchange: 'x', routingKey: 'k' }, { a: 1 });
      send.end();
      expect(send.headers).toEqual({ a: 1 });
    } finally {
      channelModel.Channel.prototype.publish = original;
    }
    expect(amqplibInstrumented()).toBe(false);
  });
});
