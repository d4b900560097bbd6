import { HttpException } from '@nestjs/common';
import { MESSAGES } from '../warren.messages';
import { HandlerFailedError, asHandlerFailure } from './handler-failure';

describe('asHandlerFailure', () => {
  it("an RpcException's { code, message, details } keeps its own details", () => {
    const failure = asHandlerFailure({ code: 'OUT_OF_STOCK', message: 'sku 42 is out of stock', details: { sku: 42 } }, false);
    expect(failure).toBeInstanceOf(HandlerFailedError);
    expect(failure).toMatchObject({ code: 'OUT_OF_STOCK', message: 'sku 42 is out of stock', details: { sku: 42 } });
  });

  it("Nest's { status: 'error', message } has no details", () => {
    const failure = asHandlerFailure({ status: 'error', message: 'just a sentence' }, false) as HandlerFailedError;
    expect(failure).toMatchObject({ code: 'RPC_EXCEPTION', message: 'just a sentence' });
    expect(failure.details).toBeUndefined();
  });

  it('without details the other fields are the details; a numeric code reads as text', () => {
    expect(asHandlerFailure({ code: 409, message: 'taken', status: 409, user: 'ann' }, false)).toMatchObject({
      code: '409',
      message: 'taken',
      details: { status: 409, user: 'ann' },
    });
  });

  it("Nest's default answer: the caller's text as it is, an event's reason says why it is missing", () => {
    const answer = { status: 'error', message: 'Internal server error' };
    expect(asHandlerFailure(answer, false).message).toBe('Internal server error');
    expect(asHandlerFailure(answer, true).message).toBe(MESSAGES.eventErrorHidden);
  });

  it('redacts credentials in URIs, keeping the name, code and details; an error with nothing to redact is itself', () => {
    const error = Object.assign(new TypeError('cannot reach amqp://app:hunter2@db/x'), { code: 'DB_DOWN' });
    const failure = asHandlerFailure(error, true);
    expect(failure.message).toBe('cannot reach amqp://app:***@db/x');
    expect(failure).toMatchObject({ name: 'TypeError', code: 'DB_DOWN' });
    const http = new HttpException({ reason: 'at amqp://u:p@h' }, 409);
    Object.defineProperty(http, 'message', { value: 'conflict at amqp://u:p@h' });
    expect(asHandlerFailure(http, false)).toMatchObject({ message: 'conflict at amqp://u:***@h', details: { reason: 'at amqp://u:p@h' } });
    const plain = new Error('nothing secret');
    expect(asHandlerFailure(plain, false)).toBe(plain);
  });

  it('anything else is its text', () => {
    expect(asHandlerFailure('amqp://a:b@c failed', true)).toMatchObject({ code: 'RPC_EXCEPTION', message: 'amqp://a:***@c failed' });
  });
});
