import type { GetMessage } from 'amqplib';
import { replayProperties } from './replay-copy';
import { decide } from './replay-plan';

const parked = (headers: Record<string, unknown>, properties: Record<string, unknown> = {}) =>
  ({ content: Buffer.from('{}'), fields: {}, properties: { headers, ...properties } }) as unknown as GetMessage;

describe('replay targets', () => {
  const sources = ['work'];

  it('goes back to the source queue through the default exchange, whatever exchange the headers claim', () => {
    const message = parked({ 'warren-original-queue': 'work', 'warren-original-exchange': 'admin', 'warren-original-routing-key': 'k' });
    expect(decide(message, { sources })).toEqual({ kind: 'copy', target: { exchange: '', routingKey: 'work' } });
    expect(decide(message, { sources, toOrigin: true })).toEqual({ kind: 'copy', target: { exchange: 'admin', routingKey: 'k' } });
    expect(decide(parked({}), { sources, toOrigin: true })).toEqual({ kind: 'copy', target: { exchange: '', routingKey: 'work' } });
  });

  it('leaves parked what names another queue, or names one in a form that is no queue name', () => {
    for (const named of ['billing', 42, Buffer.from('work'), ['work']]) expect(decide(parked({ 'warren-original-queue': named }), { sources })).toEqual({ kind: 'foreign' });
    expect(decide(parked({ 'warren-original-queue': 'billing' }), { sources, toOrigin: true })).toEqual({ kind: 'foreign' });
    // Several sources and a message that names none: which one it came from is not known.
    expect(decide(parked({}), { sources: ['a', 'b'] })).toEqual({ kind: 'foreign' });
    expect(decide(parked({ 'warren-original-queue': 'b' }), { sources: ['a', 'b'] })).toEqual({ kind: 'copy', target: { exchange: '', routingKey: 'b' } });
  });

  it('filters on the reason before anything else', () => {
    expect(decide(parked({ 'warren-error': 'bad input', 'warren-original-queue': 'billing' }), { sources, reasonContains: 'timeout' })).toEqual({ kind: 'unmatched' });
  });
});

describe('replayed copy', () => {
  const message = parked(
    {
      'warren-attempt': 5, 'warren-error': 'e', 'warren-error-code': 'E', 'warren-first-failed-at': 't', 'warren-dead-lettered-at': 't',
      'warren-original-queue': 'work', 'warren-headers-dropped': 'x', 'warren-original-exchange': 'ex', 'warren-original-routing-key': 'k',
      'x-death': [{}], 'x-first-death-reason': 'rejected', CC: ['a'], bcc: ['b'], 'warren-deadline': 9, keep: 'me',
    },
    { messageId: 'm-1', userId: 'sender', expiration: '1000', correlationId: 'c', priority: 3, contentType: 'application/json', replyTo: undefined },
  );

  it('drops user_id, expiration, CC/BCC and the failure record; keeps the id and routing headers for the queue', () => {
    expect(replayProperties(message, { exchange: '', routingKey: 'work' })).toEqual({
      messageId: 'm-1', correlationId: 'c', priority: 3, contentType: 'application/json', mandatory: true,
      headers: { 'warren-original-exchange': 'ex', 'warren-original-routing-key': 'k', 'warren-deadline': 9, keep: 'me' },
    });
  });

  it('drops the routing headers too when it goes to an exchange (the copy has its own routing key)', () => {
    expect(replayProperties(message, { exchange: 'ex', routingKey: 'k' }).headers).toEqual({ 'warren-deadline': 9, keep: 'me' });
  });
});
