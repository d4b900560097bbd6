/**
 * A handler's instruction to settle its message as failed instead of acking it.
 * `new Nack(true)` puts the message back in the queue (it is delivered again at once) as a failed
 * attempt (`basic.reject` with requeue): a quorum queue's delivery limit counts it and parks the
 * message in the dead-letter queue once reached, on every RabbitMQ version (4.3 no longer counts
 * `basic.nack`). `new Nack()` treats it as failed for good: it is parked in the handler's
 * dead-letter queue with the reason, or rejected into the queue's own dead-letter exchange. An RPC
 * handler that returns a Nack sends no reply.
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
