/** Every log line and error text Warren writes, in one place. URIs passed here are already safe. */
export const MESSAGES = {
  connecting: (uri: string) => `Connecting to RabbitMQ at ${uri}`,
  connected: (uri: string) => `Connected to RabbitMQ at ${uri}`,
  disconnected: (node: string, reason: string) => `Connection to ${node} lost (${reason}); reconnecting`,
  reconnected: (node: string) => `Reconnected to RabbitMQ at ${node}`,
  consumerConnections: (consumers: number, connections: number) =>
    `${consumers} consumers need more channels than one connection gives (connection.maxConsumerChannels): they use ${connections} connections`,
  blocked: (reason: string) => `RabbitMQ blocked the connection: ${reason}; publishes wait until it unblocks`,
  connectFailed: (uris: string, timeoutMs: number, reason: string) =>
    `Could not connect to RabbitMQ at ${uris} within ${timeoutMs} ms: ${reason}. ` +
    'Check that the broker is running and reachable, the credentials and vhost are right, ' +
    'or raise connection.connectTimeoutMs.',
  invalidUri: (uri: string, reason: string) =>
    `Invalid RabbitMQ URI ${uri}: ${reason}. Expected amqp://user:password@host:5672/vhost or amqps://...`,
  channelSetupFailed: (name: string, reason: string) => `Setting up channel '${name}' failed: ${reason}`,
  channelClosedByBroker: (name: string, reason: string) => `RabbitMQ closed channel '${name}': ${reason}; re-opening`,
  channelRecycled: (name: string, reason: string) => `Replacing channel '${name}': ${reason}`,
  publishRefused: (target: string, reason: string) => `RabbitMQ refused the message for ${target}: ${reason}`,
  publishSuspects: (count: number, reason: string) =>
    `RabbitMQ closed the producer channel over one of ${count} unconfirmed messages (${reason}); re-sending them one at a time to find it`,
  publishNotEncodable: (reason: string) => `amqplib could not encode the message (${reason})`,
  replyNotEncodable: (handler: string, reason: string) =>
    `RPC handler ${handler} returned a value that cannot be sent as a reply (${reason}); the caller gets REPLY_NOT_ENCODABLE`,

  handlerRegistered: (handler: string, type: string, target: string) => `Mapped {${target}, ${type}} to ${handler}`,
  handlerStartFailed: (handlers: string, queue: string, reason: string) =>
    `Could not start consuming queue ${queue} for ${handlers}: ${reason}. ` +
    (/inequivalent arg/.test(reason)
      ? 'The queue exists with other arguments: declare the handler as the queue was declared (queueType, deliveryLimit, ' +
        'queueOptions), or delete the queue (or its dead-letter/retry companion) so Warren can declare it.'
      : /No channels left to allocate/.test(reason)
        ? "The connection ran out of channels (the broker's channel_max): lower connection.maxConsumerChannels so Warren spreads consumers over more connections."
        : /NOT_FOUND - no exchange/.test(reason)
        ? 'Declare the exchange in WarrenModule.forRoot({ exchanges: [...] }) or on the broker.'
        : 'If an exchange is missing, declare it in WarrenModule.forRoot({ exchanges: [...] }) or on the broker.'),
  handlerStartTimeout: (handlers: string, queue: string, timeoutMs: number) =>
    `Consumer for ${handlers} on queue ${queue} was not ready within ${timeoutMs} ms`,
  ignoredOption: (handler: string, option: string, instead: string) =>
    `${handler}: option '${option}' is golevelup's and is ignored by Warren; ${instead}`,
  sharedQueueWithoutKeys: (queue: string, handlers: string) =>
    `Handlers ${handlers} share queue '${queue}' without routing keys of their own; ` +
    'messages that no keyed handler on the queue matches are handed to them in turn',
  queueTypeConflict: (queue: string, first: string, firstType: string, other: string, otherType: string) =>
    `Handlers ${first} and ${other} share queue '${queue}' but ask for different queue types ('${firstType}' and '${otherType}'); give them the same queueType`,
  unknownQueueType: (handler: string, type: string) => `${handler}: queueType must be 'classic' or 'quorum'; got '${type}'`,
  quorumRefuses: (handler: string, queue: string, option: string, why: string) =>
    `${handler}: the quorum queue '${queue}' cannot have option '${option}': ${why}. Remove the option, or use queueType: 'classic' for this handler`,
  subscribeRequiresTarget: (handler: string) =>
    `${handler}: @RabbitSubscribe/@RabbitRPC needs an 'exchange' (with 'routingKey'), a 'queue', or 'bindings'`,

  messageRejected: (handler: string, queue: string, reason: string) =>
    `Rejected message from queue '${queue}' without requeue (${handler}): ${reason}`,
  retrying: (handler: string, queue: string, attempt: number, attempts: number, delayMs: number, reason: string) =>
    `${handler} failed on queue '${queue}' (${reason}); attempt ${attempt} of ${attempts} ${delayMs > 0 ? `in ${delayMs} ms` : 'now'}`,
  deadLettered: (handler: string, queue: string, dlq: string, attempts: number, reason: string) =>
    `${handler} failed on queue '${queue}' after ${attempts} attempt(s) (${reason}); message parked in '${dlq}'`,
  forwardReturned: (target: string, queue: string) =>
    `Queue '${target}' is gone, so a failed message of '${queue}' could not be moved there; re-declaring it (the message is redelivered)`,
  rpcExpired: (handler: string) => `Skipped an RPC request for ${handler}: its caller's deadline has passed`,
  rpcFailed: (handler: string, reason: string) => `RPC handler ${handler} failed; error sent to the caller: ${reason}`,
  noHandler: (queue: string, routingKey: string) =>
    `No handler on queue '${queue}' matches routing key '${routingKey}'`,
  consumerCancelledByBroker: (queue: string) =>
    `RabbitMQ cancelled the consumer of queue '${queue}' (queue deleted?); re-declaring and re-subscribing`,
  writesNotCoalesced:
    'This amqplib version does not expose what connection.coalesceWrites needs; frames are written one by one',
  notSettled: (queue: string, reason: string) =>
    `Could not settle a delivery of queue '${queue}' (its channel closed; the broker redelivers it): ${reason}`,
  handlerFailedUserSettles: (handler: string, reason: string) =>
    `${handler} failed; settling the message as its errorBehavior / errorHandler says: ${reason}`,
  errorHandlerDidNotSettle: (handler: string) =>
    `The errorHandler of ${handler} neither acked nor nacked the message; it stays unacknowledged until its channel closes`,
  errorHandlerFailed: (handler: string, reason: string) =>
    `The errorHandler of ${handler} threw (${reason}); Warren's own failure handling takes over`,
  invalidBatchOption: (handler: string, option: string, value: unknown) =>
    `${handler}: batchOptions.${option} must be a whole number >= 1; got ${String(value)}`,
  batchFailed: (handler: string, count: number, reason: string) => `Batch handler ${handler} failed on ${count} message(s): ${reason}`,
  prefetchRaisedForBatch: (handler: string, size: number) =>
    `${handler}: prefetch raised to the batch size (${size}) so that full batches can form`,
  unknownPublication: (name: string, known: string[]) =>
    `No publication named '${name}' (the module's publications: ${known.join(', ') || 'none'})`,
  handlersNotRegistered: 'registerHandlers is false: no consumer is started for the handlers found',
  unknownChannel: (handler: string, channel: string, known: string) =>
    `${handler}: channel '${channel}' is not in the module's channels (${known}); the default prefetch applies`,
  unsupportedOption: (where: string, option: string, instead: string) =>
    `${where}: option '${option}' is not supported by Warren and is ignored; ${instead}`,
  subscriberReturnedValue: (handler: string) =>
    `${handler} is a @RabbitSubscribe handler but returned a value; it is ignored. Subscribe handlers should only return void (use @RabbitRPC to reply)`,

  drainStarted: (inFlight: number, timeoutMs: number) =>
    `Shutting down: consumers cancelled, waiting up to ${timeoutMs} ms for ${inFlight} in-flight message(s)`,
  drainTimedOut: (requeued: number) =>
    `Drain timeout reached: ${requeued} unfinished message(s) returned to their queues`,
  drainDone: (ms: number) => `Drained in ${ms} ms`,
  publishesUnconfirmed: (count: number) => `Shutting down with ${count} publish(es) not yet confirmed by the broker`,
  emitFailed: (exchange: string, routingKey: string, reason: string) =>
    `emit to '${exchange}' / '${routingKey}' failed: ${reason}`,
  clientClosed: (what: string) => `${what} is shut down; no further messages can be sent`,
  rpcAbandonedOnShutdown: (count: number) => `Shutting down: ${count} pending RPC request(s) rejected`,
  faultsWrongBroker: (url: string, command: string, what: string) =>
    `WarrenFaults refuses to act: '${command}' drives a node that is not the broker at ${url} (${what}). ` +
    'Point rabbitmqctl at that broker (options rabbitmqctl/nodeName, or WARREN_RABBITMQCTL/RABBITMQ_NODENAME), ' +
    "or set brokerPort (WARREN_BROKER_PORT) when the node listens on another port than the URL's (a container's port mapping)",
  faultsUnverified: (url: string, command: string, reason: string) =>
    `WarrenFaults refuses to act: cannot ask '${command}' which broker it drives, so cannot tell it is the one at ${url}: ${reason}`,
} as const;
