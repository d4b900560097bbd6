import { diffAsyncApi } from './asyncapi-diff';

/** A small Warren-like document: one event channel with a receive and a send operation, one queue. */
function base() {
  return {
    asyncapi: '3.0.0',
    info: { title: 'shop', version: '1.0.0' },
    channels: {
      shop__order_created: {
        address: 'order.created',
        bindings: { amqp: { is: 'routingKey', exchange: { name: 'shop', type: 'topic' } } },
        messages: { OrderDto: { $ref: '#/components/messages/OrderDto' } },
      },
      queue__billing: {
        address: 'billing',
        bindings: { amqp: { is: 'queue', queue: { name: 'billing' } } },
        messages: { OrderDto: { $ref: '#/components/messages/OrderDto' } },
      },
    },
    operations: {
      Billing_onOrder: { action: 'receive', channel: { $ref: '#/channels/shop__order_created' }, messages: [{ $ref: '#/channels/shop__order_created/messages/OrderDto' }] },
      publish__shop__order_created: { action: 'send', channel: { $ref: '#/channels/shop__order_created' }, messages: [{ $ref: '#/channels/shop__order_created/messages/OrderDto' }] },
    },
    components: {
      messages: { OrderDto: { name: 'OrderDto', payload: { $ref: '#/components/schemas/OrderDto' } } },
      schemas: {
        OrderDto: {
          type: 'object',
          required: ['id', 'lines'],
          properties: { id: { type: 'string' }, amount: { type: 'integer' }, lines: { type: 'array', items: { $ref: '#/components/schemas/LineDto' } } },
        },
        LineDto: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
      },
    },
  };
}

type Doc = ReturnType<typeof base>;
const changed = (edit: (doc: Doc) => void): Doc => {
  const doc = base();
  edit(doc);
  return doc;
};
const texts = (before: unknown, after: unknown) => {
  const diff = diffAsyncApi(before, after);
  return { breaking: diff.breaking.map((c) => c.text), compatible: diff.compatible.map((c) => c.text) };
};

describe('diffAsyncApi', () => {
  it('finds nothing between a document and itself', () => {
    expect(diffAsyncApi(base(), base())).toEqual({ breaking: [], compatible: [] });
  });

  describe('breaking', () => {
    it('an operation removed', () => {
      const after = changed((doc) => delete (doc.operations as Partial<Doc['operations']>).Billing_onOrder);
      expect(texts(base(), after).breaking).toEqual(["operation 'Billing_onOrder' removed (receive on address 'order.created' on exchange 'shop')"]);
    });

    it('a channel removed (and the operations on it)', () => {
      const after = changed((doc) => delete (doc.channels as Partial<Doc['channels']>).queue__billing);
      expect(texts(base(), after).breaking).toEqual(["channel 'queue__billing' removed (queue address 'billing')"]);
    });

    it('a required payload property added', () => {
      const after = changed((doc) => {
        doc.components.schemas.OrderDto.required.push('currency');
        (doc.components.schemas.OrderDto.properties as Record<string, unknown>).currency = { type: 'string' };
      });
      const { breaking } = texts(base(), after);
      expect(breaking).toEqual([
        "operation 'Billing_onOrder' message 'OrderDto' payload.currency: required property added",
        "operation 'publish__shop__order_created' message 'OrderDto' payload.currency: required property added",
      ]);
    });

    it('an optional property made required, deep in a nested DTO', () => {
      const after = changed((doc) => doc.components.schemas.LineDto.required.push('quantity'));
      expect(texts(base(), after).breaking[0]).toBe("operation 'Billing_onOrder' message 'OrderDto' payload.lines[].quantity: optional property became required");
    });

    it("a property's type changed", () => {
      const after = changed((doc) => (doc.components.schemas.OrderDto.properties.id = { type: 'integer' }));
      expect(texts(base(), after).breaking[0]).toBe("operation 'Billing_onOrder' message 'OrderDto' payload.id: type changed from string to integer");
    });

    it('a message removed from an operation that had several', () => {
      const before = changed((doc) => {
        (doc.components.messages as Record<string, unknown>).Refund = { name: 'Refund', payload: { type: 'object' } };
        (doc.channels.shop__order_created.messages as Record<string, unknown>).Refund = { $ref: '#/components/messages/Refund' };
        doc.operations.Billing_onOrder.messages.push({ $ref: '#/channels/shop__order_created/messages/Refund' });
      });
      expect(texts(before, base()).breaking).toEqual(["operation 'Billing_onOrder' message 'Refund' removed"]);
    });
  });

  describe('compatible', () => {
    it('an optional property added', () => {
      const after = changed((doc) => ((doc.components.schemas.OrderDto.properties as Record<string, unknown>).note = { type: 'string' }));
      const result = texts(base(), after);
      expect(result.breaking).toEqual([]);
      expect(result.compatible).toContain("operation 'Billing_onOrder' message 'OrderDto' payload.note: optional property added");
    });

    it('a property removed, a required one made optional, a type widened', () => {
      const after = changed((doc) => {
        delete (doc.components.schemas.OrderDto.properties as Partial<Doc['components']['schemas']['OrderDto']['properties']>).amount;
        doc.components.schemas.LineDto.required = [];
        doc.components.schemas.LineDto.properties.quantity = { type: 'number' };
      });
      const result = texts(base(), after);
      expect(result.breaking).toEqual([]);
      expect(result.compatible).toEqual(
        expect.arrayContaining([
          "operation 'Billing_onOrder' message 'OrderDto' payload.amount: property removed",
          "operation 'Billing_onOrder' message 'OrderDto' payload.lines[].sku: required property became optional",
          "operation 'Billing_onOrder' message 'OrderDto' payload.lines[].quantity: type widened from integer to number",
        ]),
      );
    });

    it('channels and operations added', () => {
      const after = changed((doc) => {
        (doc.channels as Record<string, unknown>).shop__order_paid = { address: 'order.paid', messages: {} };
        (doc.operations as Record<string, unknown>).Billing_onPaid = { action: 'receive', channel: { $ref: '#/channels/shop__order_paid' }, messages: [] };
      });
      expect(texts(base(), after)).toEqual({
        breaking: [],
        compatible: ["channel 'shop__order_paid' added (address 'order.paid')", "operation 'Billing_onPaid' added (receive on address 'order.paid')"],
      });
    });

    it('a renamed operation or channel that is the same on the broker', () => {
      const after = changed((doc) => {
        const ops = doc.operations as Record<string, unknown>;
        ops.Billing_handleOrder = ops.Billing_onOrder;
        delete ops.Billing_onOrder;
        const channels = doc.channels as Record<string, unknown>;
        channels.billing_queue = channels.queue__billing;
        delete channels.queue__billing;
      });
      expect(texts(base(), after)).toEqual({ breaking: [], compatible: [] });
    });
  });

  it('refuses what is not an AsyncAPI 3 document', () => {
    expect(() => diffAsyncApi({ asyncapi: '2.6.0' }, base())).toThrow(/old document is not an AsyncAPI 3 document/);
    expect(() => diffAsyncApi(base(), [])).toThrow(/new document is not an AsyncAPI 3 document/);
  });
});
