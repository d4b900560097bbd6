/**
 * A handler's instruction to settle its message with a nack instead of an ack.
 * `new Nack(true)` puts the message back in the queue (it is delivered again at once);
 * `new Nack()` treats it as failed for good: it is parked in the handler's dead-letter queue with
 * the reason, or rejected into the queue's own dead-letter exchange. An RPC handler that returns a
 * Nack sends no reply.
 */
export class Nack {
  constructor(private readonly requeueMessage = false) {}

  get requeue(): boolean {
    return this.requeueMessage;
  }
}

/**
 * The reason recorded when a handler returned `new Nack()` (the `warren-error` header of the dead
 * letter): a deliberate outcome, logged as a warning without a stack. Its name stays `Error`.
 */
export class ReturnedNack extends Error {
  constructor() {
    super('the handler returned a Nack');
  }
}
