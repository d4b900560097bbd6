import { Injectable } from '@nestjs/common';
import type { ConsumeMessage } from 'amqplib';
import { MessageProducer, RabbitHeader, RabbitPayload, RabbitRequest, RabbitSubscribe } from 'nestjs-warren';
import { Apps, brokerCases, transient, unique, waitFor } from './harness';

interface Seen {
  payload: unknown;
  headers: Record<string, unknown>;
  message: ConsumeMessage;
}

/** A handler receives the body as it was published, with its headers and properties, through the param decorators. */
describe.each(brokerCases)('payloads and properties on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  async function startRecorder() {
    const queue = unique('q.payloads');
    const seen: Seen[] = [];
    @Injectable()
    class Recorder {
      @RabbitSubscribe({ ...transient, queue })
      on(@RabbitPayload() payload: unknown, @RabbitHeader() headers: Record<string, unknown>, @RabbitRequest() message: ConsumeMessage) {
        seen.push({ payload, headers, message });
      }
    }
    const app = await apps.start({}, [Recorder]);
    return { producer: app.get(MessageProducer), queue, seen };
  }

  it('delivers an object, a string and a Buffer intact, each with its content type', async () => {
    const { producer, queue, seen } = await startRecorder();
    await producer.publish('', queue, { n: 1, text: 'ünïcødé', list: [1, null, { deep: true }] });
    await producer.publish('', queue, 'plain text');
    await producer.publish('', queue, Buffer.from([0, 1, 2, 255]));
    await waitFor(() => seen.length === 3, 'three deliveries');

    const [object, text, binary] = seen;
    expect(object.payload).toEqual({ n: 1, text: 'ünïcødé', list: [1, null, { deep: true }] });
    expect(object.message.properties.contentType).toBe('application/json');
    expect(text.payload).toBe('plain text');
    expect(text.message.properties.contentType).toBe('text/plain');
    expect(Buffer.isBuffer(binary.payload)).toBe(true);
    expect([...(binary.payload as Buffer)]).toEqual([0, 1, 2, 255]);
    expect(binary.message.properties.contentType).toBe('application/octet-stream');
  });

  it('shows the handler the headers, messageId, correlationId and where the message came from', async () => {
    const { producer, queue, seen } = await startRecorder();
    const headers = { tenant: 'acme', attempt: 3, flag: true, nested: { ok: 'yes' } };
    await producer.publish('', queue, { n: 1 }, { headers, messageId: 'm-1', correlationId: 'corr-1', type: 'order.created', appId: 'contract' });
    await waitFor(() => seen.length === 1, 'one delivery');

    const [{ headers: received, message }] = seen;
    expect(received).toEqual(headers);
    expect(message.properties).toMatchObject({ messageId: 'm-1', correlationId: 'corr-1', type: 'order.created', appId: 'contract', deliveryMode: 2 });
    expect(message.fields).toMatchObject({ exchange: '', routingKey: queue, redelivered: false });
  });

  it('gives every message a messageId when the publisher set none', async () => {
    const { producer, queue, seen } = await startRecorder();
    await producer.publish('', queue, { n: 1 });
    await producer.publish('', queue, { n: 2 });
    await waitFor(() => seen.length === 2, 'two deliveries');

    const ids = seen.map((s) => s.message.properties.messageId as string);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('hands one property of the body and one header to parameters that name them', async () => {
    const queue = unique('q.params');
    const seen: Array<[unknown, unknown]> = [];
    @Injectable()
    class Picky {
      @RabbitSubscribe({ ...transient, queue })
      on(@RabbitPayload('sku') sku: unknown, @RabbitHeader('tenant') tenant: unknown) {
        seen.push([sku, tenant]);
      }
    }
    const app = await apps.start({}, [Picky]);

    await app.get(MessageProducer).publish('', queue, { sku: 'A-1', qty: 2 }, { headers: { tenant: 'acme', other: 1 } });
    await waitFor(() => seen.length === 1, 'one delivery');
    expect(seen).toEqual([['A-1', 'acme']]);
  });
});
