import { Injectable } from '@nestjs/common';
import { MessageProducer, RabbitSubscribe, UnroutableMessageError } from 'nestjs-warren';
import { Apps, brokerCases, exchange, transient, unique, waitFor } from './harness';

interface Event {
  id: string;
}

/** A message reaches exactly the queues its exchange type and bindings select, and no others. */
describe.each(brokerCases)('routing on %s', (_name, broker) => {
  const apps = new Apps(broker);
  afterEach(() => apps.closeAll());

  it('direct exchange: delivers by exact routing key only', async () => {
    const direct = unique('direct');
    const red: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, exchange: direct, routingKey: 'red', queue: unique('q.red') })
      onRed(event: Event) {
        red.push(event.id);
      }
    }
    const app = await apps.start({ exchanges: [exchange(direct, 'direct')] }, [Handlers]);
    const producer = app.get(MessageProducer);

    await producer.publish(direct, 'red', { id: 'r1' });
    await expect(producer.publish(direct, 'blue', { id: 'b1' })).rejects.toBeInstanceOf(UnroutableMessageError);
    await producer.publish(direct, 'blue', { id: 'b2' }, { mandatory: false });
    await producer.publish(direct, 'red', { id: 'marker' });
    await waitFor(() => red.includes('marker'), 'marker on red');
    expect(red).toEqual(['r1', 'marker']);
  });

  it("topic exchange: '*' matches one word, '#' zero or more; a key that does not match is not delivered", async () => {
    const topic = unique('topic');
    const star: string[] = [];
    const hash: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, exchange: topic, routingKey: 'order.*', queue: unique('q.star') })
      onStar(event: Event) {
        star.push(event.id);
      }

      @RabbitSubscribe({ ...transient, exchange: topic, routingKey: 'order.#', queue: unique('q.hash') })
      onHash(event: Event) {
        hash.push(event.id);
      }
    }
    const app = await apps.start({ exchanges: [exchange(topic)] }, [Handlers]);
    const producer = app.get(MessageProducer);

    await producer.publish(topic, 'order.created', { id: 'one-word' }); // both
    await producer.publish(topic, 'order.eu.created', { id: 'two-words' }); // '#' only
    await producer.publish(topic, 'order', { id: 'zero-words' }); // '#' only
    await expect(producer.publish(topic, 'invoice.created', { id: 'other' })).rejects.toBeInstanceOf(UnroutableMessageError);
    await producer.publish(topic, 'order.marker', { id: 'marker' }); // both, after everything else
    await waitFor(() => star.includes('marker') && hash.includes('marker'), 'marker on both queues');
    expect(star).toEqual(['one-word', 'marker']);
    expect(hash).toEqual(['one-word', 'two-words', 'zero-words', 'marker']);
  });

  it('fanout exchange: delivers one message to every bound queue, whatever the key', async () => {
    const fanout = unique('fanout');
    const a: string[] = [];
    const b: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, exchange: fanout, queue: unique('q.fanA') })
      onA(event: Event) {
        a.push(event.id);
      }

      @RabbitSubscribe({ ...transient, exchange: fanout, queue: unique('q.fanB') })
      onB(event: Event) {
        b.push(event.id);
      }
    }
    const app = await apps.start({ exchanges: [exchange(fanout, 'fanout')] }, [Handlers]);

    await app.get(MessageProducer).publish(fanout, 'any.key', { id: 'x' });
    await waitFor(() => a.length === 1 && b.length === 1, 'one delivery per queue');
    expect(a).toEqual(['x']);
    expect(b).toEqual(['x']);
  });

  it("headers exchange: bindings with 'x-match: all' and 'x-match: any'", async () => {
    const headers = unique('headers');
    const match = { kind: 'order', region: 'eu' };
    const all: string[] = [];
    const any: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, exchange: headers, queue: unique('q.all'), queueOptions: { autoDelete: true, bindQueueArguments: { 'x-match': 'all', ...match } } })
      onAll(event: Event) {
        all.push(event.id);
      }

      @RabbitSubscribe({ ...transient, exchange: headers, queue: unique('q.any'), queueOptions: { autoDelete: true, bindQueueArguments: { 'x-match': 'any', ...match } } })
      onAny(event: Event) {
        any.push(event.id);
      }
    }
    const app = await apps.start({ exchanges: [exchange(headers, 'headers')] }, [Handlers]);
    const producer = app.get(MessageProducer);

    await producer.publish(headers, '', { id: 'both' }, { headers: { kind: 'order', region: 'eu' } });
    await producer.publish(headers, '', { id: 'us-order' }, { headers: { kind: 'order', region: 'us' } });
    await producer.publish(headers, '', { id: 'eu-invoice' }, { headers: { kind: 'invoice', region: 'eu' } });
    await expect(producer.publish(headers, '', { id: 'none' }, { headers: { kind: 'invoice' } })).rejects.toBeInstanceOf(UnroutableMessageError);
    await producer.publish(headers, '', { id: 'marker' }, { headers: match });
    await waitFor(() => all.includes('marker') && any.includes('marker'), 'marker on both queues');
    expect(all).toEqual(['both', 'marker']);
    expect(any).toEqual(['both', 'us-order', 'eu-invoice', 'marker']);
  });

  it('default exchange: publishing to exchange "" with the queue name as key reaches that queue', async () => {
    const queue = unique('q.plain');
    const got: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, queue })
      onPlain(event: Event) {
        got.push(event.id);
      }
    }
    const app = await apps.start({}, [Handlers]);

    await app.get(MessageProducer).publish('', queue, { id: 'p1' });
    await waitFor(() => got.length === 1, 'delivery through the default exchange');
    expect(got).toEqual(['p1']);
  });

  it('one queue with two handlers: each message goes to the handler whose routing key matches', async () => {
    const topic = unique('shared');
    const queue = unique('q.shared');
    const created: string[] = [];
    const deleted: string[] = [];
    @Injectable()
    class Handlers {
      @RabbitSubscribe({ ...transient, exchange: topic, routingKey: 'item.created', queue })
      onCreated(event: Event) {
        created.push(event.id);
      }

      @RabbitSubscribe({ ...transient, exchange: topic, routingKey: 'item.deleted', queue })
      onDeleted(event: Event) {
        deleted.push(event.id);
      }
    }
    const app = await apps.start({ exchanges: [exchange(topic)] }, [Handlers]);
    const producer = app.get(MessageProducer);

    await producer.publish(topic, 'item.created', { id: 'c1' });
    await producer.publish(topic, 'item.deleted', { id: 'd1' });
    await producer.publish(topic, 'item.created', { id: 'c2' });
    await waitFor(() => created.length + deleted.length === 3, 'three deliveries');
    expect(created).toEqual(['c1', 'c2']);
    expect(deleted).toEqual(['d1']);
  });
});
