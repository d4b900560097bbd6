import { RmqRecordBuilder } from '@nestjs/microservices';
import { InvalidMessageError } from '../errors/invalid-message.error';
import { requestProperties } from '../rpc/request-properties';
import { publishOptionsOf, requestOptionsOf, unwrapRecord } from './rmq-record';

describe('RmqRecord on Warren', () => {
  const record = new RmqRecordBuilder({ n: 1 })
    .setOptions({ headers: { 'x-v': '1' }, priority: 3, expiration: 500, mandatory: false, CC: 'other', timestamp: 1, messageId: 'm' })
    .build();

  it("a record's data is the payload, its options apart; anything else is the payload itself", () => {
    expect(unwrapRecord(record)).toEqual({ data: { n: 1 }, options: record.options });
    expect(unwrapRecord({ data: 1, options: {} })).toEqual({ data: { data: 1, options: {} } });
  });

  it('a request takes headers and properties, not expiration, mandatory or CC (those stay Warren’s)', () => {
    expect(requestOptionsOf(record.options)).toEqual({ headers: { 'x-v': '1' }, priority: 3, messageId: 'm' });
    expect(requestOptionsOf(undefined)).toEqual({});
  });

  it('an event takes expiration and mandatory too, and leaves out what is unset', () => {
    expect(publishOptionsOf(record.options)).toEqual({ headers: { 'x-v': '1' }, priority: 3, messageId: 'm', expiration: 500, mandatory: false });
    expect(publishOptionsOf(undefined)).toBeUndefined();
  });

  it('request properties are checked before anything is sent', () => {
    expect(requestProperties({})).toBeUndefined();
    expect(requestProperties({ priority: 2, type: 't', persistent: true })).toEqual({ priority: 2, type: 't', persistent: true });
    expect(() => requestProperties({ priority: 300 })).toThrow(InvalidMessageError);
    expect(() => requestProperties({ messageId: 'x'.repeat(300) })).toThrow(/options.messageId/);
  });
});
