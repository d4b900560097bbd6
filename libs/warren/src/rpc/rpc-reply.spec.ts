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
});
