import type { Channel, Message } from 'amqplib';
import { AckBatcher } from './ack-batcher';

/** Records what would go on the wire; the batching rules are pure logic. */
function recorder() {
  const sent: string[] = [];
  const channel = {
    ack: (message: Message, multiple: boolean) => sent.push(`ack ${message.fields.deliveryTag}${multiple ? ' multiple' : ''}`),
    nack: (message: Message, multiple: boolean, requeue: boolean) =>
      sent.push(`nack ${message.fields.deliveryTag}${multiple ? ' multiple' : ''}${requeue ? ' requeue' : ''}`),
    reject: (message: Message, requeue: boolean) => sent.push(`reject ${message.fields.deliveryTag}${requeue ? ' requeue' : ''}`),
  } as unknown as Channel;
  return { sent, channel };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('AckBatcher', () => {
  it('acks a run of finished deliveries with one multiple ack at the end of the tick', async () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    for (let tag = 1; tag <= 5; tag++) acks.received(tag);
    for (let tag = 1; tag <= 5; tag++) acks.ack(tag);
    expect(sent).toEqual([]);
    await nextTick();
    expect(sent).toEqual(['ack 5 multiple']);
  });

  it('never lets a multiple ack cover a delivery that is still being handled', async () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    for (let tag = 1; tag <= 6; tag++) acks.received(tag);
    acks.ack(1);
    acks.ack(2);
    acks.ack(4); // 3 is still running
    acks.ack(6);
    await nextTick();
    expect(sent).toEqual(['ack 2 multiple', 'ack 4', 'ack 6']);
    acks.ack(3);
    acks.ack(5);
    await nextTick();
    // 4 and 6 are settled already, so one multiple ack up to 5 covers exactly 3 and 5.
    expect(sent.slice(3)).toEqual(['ack 5 multiple']);
  });

  it('acks a single delivery without the multiple flag', async () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    acks.received(7);
    acks.ack(7);
    await nextTick();
    expect(sent).toEqual(['ack 7']);
  });

  it('sends rejects at once, and a run of acks continues past a rejected delivery', async () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    for (let tag = 1; tag <= 3; tag++) acks.received(tag);
    acks.ack(1);
    acks.reject(2, false);
    acks.ack(3);
    expect(sent).toEqual(['reject 2']);
    await nextTick();
    expect(sent).toEqual(['reject 2', 'ack 3 multiple']);
  });

  it('requeues a failed attempt with basic.reject and gives back an unprocessed one with basic.nack, one tag each', () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    for (let tag = 1; tag <= 2; tag++) acks.received(tag);
    acks.reject(1, true);
    acks.giveBack(2);
    expect(sent).toEqual(['reject 1 requeue', 'nack 2 requeue']);
  });

  it('settles each delivery once: a second ack or a nack after an ack is ignored', async () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    acks.received(1);
    acks.ack(1);
    acks.ack(1);
    await nextTick();
    acks.reject(1, true);
    acks.giveBack(1);
    expect(sent).toEqual(['ack 1']);
  });

  it('flush() sends pending acks at once (before a channel is closed)', () => {
    const { sent, channel } = recorder();
    const acks = new AckBatcher(channel, () => true, () => undefined);
    acks.received(1);
    acks.ack(1);
    acks.flush();
    expect(sent).toEqual(['ack 1']);
  });

  it('settles nothing on a channel that has closed, and reports an ack the channel refused', async () => {
    const { sent, channel } = recorder();
    let live = true;
    const errors: Error[] = [];
    const acks = new AckBatcher(channel, () => live, (error) => errors.push(error));
    acks.received(1);
    acks.ack(1);
    live = false;
    await nextTick();
    expect(sent).toEqual([]);

    const refusing = { ack: () => { throw new Error('Channel closed'); } } as unknown as Channel;
    const failing = new AckBatcher(refusing, () => true, (error) => errors.push(error));
    failing.received(1);
    failing.ack(1);
    await nextTick();
    expect(errors.map((e) => e.message)).toEqual(['Channel closed']);
  });
});
