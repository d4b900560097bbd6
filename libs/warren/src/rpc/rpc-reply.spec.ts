import { BadRequestException } from '@nestjs/common';
import { MessageValidationError } from '../errors/message-validation.error';
import { toRemoteErrorPayload } from './rpc-reply';

describe('toRemoteErrorPayload', () => {
  it('carries code, message and details of a validation error', () => {
    const error = new MessageValidationError('SumDto', [{ property: 'a', constraints: { isInt: 'a must be an integer number' } }]);
    expect(toRemoteErrorPayload(error)).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Payload failed validation for SumDto: a must be an integer number',
      details: [{ property: 'a', constraints: { isInt: 'a must be an integer number' } }],
    });
  });

  it("uses an error's own string code, else HANDLER_ERROR, and never the stack", () => {
    const coded = Object.assign(new Error('nope'), { code: 'E_NOPE' });
    expect(toRemoteErrorPayload(coded)).toEqual({ code: 'E_NOPE', message: 'nope' });
    expect(toRemoteErrorPayload(new Error('plain'))).toEqual({ code: 'HANDLER_ERROR', message: 'plain' });
    expect(toRemoteErrorPayload('a string')).toEqual({ code: 'HANDLER_ERROR', message: 'a string' });
    expect(JSON.stringify(toRemoteErrorPayload(new Error('x')))).not.toContain('at ');
  });

  it("passes a Nest HttpException's response as details", () => {
    expect(toRemoteErrorPayload(new BadRequestException('bad input'))).toEqual({
      code: 'HANDLER_ERROR',
      message: 'bad input',
      details: { message: 'bad input', error: 'Bad Request', statusCode: 400 },
    });
  });

  it('redacts the message and every string in the details; details JSON cannot carry are kept for the reply to leave out', () => {
    const leaky = Object.assign(new Error('down: postgres://app:SECRET@db/orders'), {
      code: 'DB_DOWN',
      details: { tried: ['amqp://u:SECRET@h'], at: new Date(0), count: 2 },
    });
    expect(toRemoteErrorPayload(leaky)).toEqual({
      code: 'DB_DOWN',
      message: 'down: postgres://app:***@db/orders',
      details: { tried: ['amqp://u:***@h'], at: '1970-01-01T00:00:00.000Z', count: 2 },
    });
    expect(toRemoteErrorPayload('postgres://app:SECRET@db').message).toBe('postgres://app:***@db');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(toRemoteErrorPayload(Object.assign(new Error('x'), { details: circular })).details).toBe(circular);
  });
});
