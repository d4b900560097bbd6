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
  healthWithoutWarren:
    'WarrenHealthModule needs Warren: import WarrenModule.forRoot() (or forRootAsync()) in the application, ' +
    'unnamed and global (the default), beside WarrenHealthModule.',
  loginRefused: (node: string, user: string | undefined, reply: string) =>
    `RabbitMQ at ${node} refused the login${user ? ` of user '${user}'` : ''} (${reply}): the user name or password is wrong, ` +
    'or the user does not exist. Not retried: a refused login is final.',
  vhostRefused: (node: string, vhost: string, user: string | undefined) =>
    `RabbitMQ at ${node} refused to open vhost '${vhost}': it does not exist or user '${user ?? '?'}' may not use it. ` +
    `Create the vhost, or grant the user permissions on it (rabbitmqctl set_permissions -p '${vhost}' …).`,
  setupRefused: (node: string, replyCode: number, replyText: string) =>
    `RabbitMQ at ${node} refused Warren's set-up and closed the connection or channel: ${replyCode} ${replyText}. ` +
    'Not retried: the broker would refuse it again (a missing plugin, an exchange or queue declared with other arguments, missing permissions).',
  invalidUri: (uri: string, reason: string) =>
    `Invalid RabbitMQ URI ${uri}: ${reason}. Expected amqp://user:password@host:5672/vhost or amqps://...`,
  uriTuningNotWhole: (name: string, value: string) => `its ${name} must be a whole number, got '${value.slice(0, 20)}'`,
  frameMaxTooSmall: (frameMax: number, minimum: number) => `its frameMax ${frameMax} is below AMQP's minimum frame size ${minimum} (0 means no limit)`,
  maxFrameSizeTooSmall: (maxFrameSize: number, frameMax: number, minimum: number) =>
    `its maxFrameSize ${maxFrameSize} must be 0 (no limit) or at least ${minimum} and at least frameMax (${frameMax === 0 ? 'unlimited' : frameMax}): ` +
    'the broker may send frames up to frameMax, and amqplib closes the connection on one larger than maxFrameSize',
  topologyChannelUnavailable: (connection: string) =>
    `The topology channel of connection '${connection}' is not open right now (disconnected, or re-opening after the broker closed it); try again shortly`,
  golevelupNotInstalled: (reason: string) =>
    `golevelupConnector connects through @golevelup/nestjs-rabbitmq, which could not be loaded (${reason}); install it, or leave out the connector option to connect with amqp-connection-manager directly`,
  forRootAsyncNeedsFactory:
    'RabbitMQModule.forRootAsync needs useFactory, useClass or useExisting (as forRootAsync(options), or golevelup 5\'s forRootAsync(RabbitMQModule, options))',
  plaintextFallback: (plain: string) =>
    `The failover URIs mix amqps:// and amqp:// (plaintext: ${plain}): when the TLS brokers are unreachable, Warren would connect ` +
    'in clear and send the credentials and every message unencrypted. Use amqps:// for every URI, or set ' +
    'connection.allowPlaintextFallback: true to accept that.',
  plaintextFallbackAllowed: (plain: string) =>
    `connection.allowPlaintextFallback is on: when the amqps:// brokers are unreachable, Warren connects to ${plain} in clear ` +
    '(credentials and messages unencrypted)',
  tlsUnverified:
    "TLS certificate checks are off (rejectUnauthorized: false): any broker certificate is accepted, so anyone on the path can read " +
    "and change the traffic, credentials included. Give the broker's CA in connection.tls.ca instead.",
  notABoolean: (option: string, value: unknown) => `Option ${option} must be true or false; got ${typeof value}`,
  channelSetupFailed: (name: string, reason: string) => `Setting up channel '${name}' failed: ${reason}`,
  channelClosedByBroker: (name: string, reason: string) => `RabbitMQ closed channel '${name}': ${reason}; re-opening`,
  channelRecycled: (name: string, reason: string) => `Replacing channel '${name}': ${reason}`,
  channelLostDuringSetup: 'the channel (or its connection) closed while it was being set up',
  amqplibGuardUnsupported: (version: string, where: string, reason: string) =>
    `Warren cannot guard amqplib ${version} (${where}) against header tables it cannot decode: ${reason}. ` +
    'A message with such headers would close the whole connection; use an amqplib version Warren supports (0.10.x, 2.x).',
  amqplibNotGuarded: (where: string) =>
    `The connection reads frames through an amqplib Warren did not guard (not the one at ${where}); ` +
    'make amqp-connection-manager and Warren share one amqplib (npm dedupe).',
  headersTooDeep: (depth: number) =>
    `header tables nested deeper than ${depth} levels (amqplib's recursive decoder overflowed the stack); each was replaced by a marker`,
  headersNestTooDeep: (depth: number) => `header tables nested deeper than ${depth} levels (Warren accepts at most ${depth})`,
  headersNotDecodable: (reason: string) => `the header table could not be decoded (${reason}); the headers were left out`,
  publishRefused: (target: string, reason: string) => `RabbitMQ refused the message for ${target}: ${reason}`,
  publishSuspects: (count: number, reason: string) =>
    `RabbitMQ closed the producer channel over one of ${count} unconfirmed messages (${reason}); re-sending them one at a time to find it`,
  confirmTimeout: (target: string, timeoutMs: number, messageId: string | undefined) =>
    `Publish to ${target} was not confirmed within ${timeoutMs} ms; the outcome is unknown: the message may still arrive; ` +
    `de-duplicate by messageId${messageId === undefined ? '' : ` (${messageId})`}`,
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
  cliReadsCount: (broker: string) =>
    `${broker} counts each read of a quorum queue's message toward its delivery limit (x-delivery-count): Warren declares ` +
    'its dead-letter queues with x-delivery-limit -1 (none), but a quorum queue declared with a limit (or without one, ' +
    'which means 20) drops a message read that often',
  brokerRefuses: (handler: string, queue: string, option: string, broker: string, why: string) =>
    `${handler}: queue '${queue}' cannot have option '${option}' on ${broker}: ${why}`,
  brokerDeprecates: (handler: string, queue: string, option: string, broker: string, why: string) =>
    `${handler}: queue '${queue}' uses ${option}, deprecated on ${broker}: ${why}`,
  limitKept: (queue: string, broker: string) =>
    `Queue '${queue}' exists without x-delivery-limit (declared by an earlier Warren), so on ${broker} it keeps the broker's default ` +
    "limit of 20 deliveries: a message returned that often is dropped. Warren now declares it with x-delivery-limit -1 (no limit); " +
    'move its messages away and delete it to have it declared so',
  subscribeRequiresTarget: (handler: string) =>
    `${handler}: @RabbitSubscribe/@RabbitRPC needs an 'exchange' (with 'routingKey'), a 'queue', or 'bindings'`,

  messageRejected: (handler: string, queue: string, reason: string) =>
    `Rejected message from queue '${queue}' without requeue (${handler}): ${reason}`,
  retrying: (handler: string, queue: string, attempt: number, attempts: number, delayMs: number, reason: string) =>
    `${handler} failed on queue '${queue}', attempt ${attempt - 1} of ${attempts} (${reason}); ${delayMs > 0 ? `retry in ${delayMs} ms` : 'retry now'}`,
  deadLettered: (handler: string, queue: string, dlq: string, attempt: number, attempts: number, reason: string) =>
    `${handler} failed on queue '${queue}', attempt ${attempt} of ${attempts} (${reason}); ${attempt < attempts ? 'not retried, ' : ''}message parked in '${dlq}'`,
  nacked: (handler: string, queue: string, dlq: string | undefined) =>
    `${handler} returned a Nack for a message on queue '${queue}'; ${dlq ? `message parked in '${dlq}'` : "message rejected (into the queue's own dead-letter exchange, if it has one)"}`,
  forwardReturned: (target: string, queue: string) =>
    `Queue '${target}' is gone, so a failed message of '${queue}' could not be moved there; re-declaring it (the message is redelivered)`,
  rpcExpired: (queue: string, count: number) =>
    `Skipped ${count === 1 ? 'an RPC request' : `${count} RPC requests`} on queue '${queue}'${count === 1 ? '' : ' (since the last such line)'}: the caller's deadline had passed, so nobody waits for the reply`,
  replyToRefused: (queue: string, replyTo: string, count: number) =>
    `Refused ${count === 1 ? 'an RPC request' : `${count} RPC requests`} on queue '${queue}'${count === 1 ? '' : ' (since the last such line)'}: ` +
    `reply_to '${replyTo}' is neither direct reply-to nor a server-named queue, and a reply is published with this application's rights; ` +
    `acked without running the handler. If that client's reply queue is trusted, add it to the module option rpc.allowedReplyTo`,
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
  batchRetriedAlone: (handler: string, count: number) =>
    `${handler}: running the ${count} messages of the failed batch one at a time, so that only those that fail alone are retried or parked`,
  invalidHandlerOption: (handler: string, option: string, value: unknown) =>
    `${handler}: option ${option} must be a whole number >= 1; got ${String(value)}`,
  // Flow control (concurrency, timeoutMs, circuitBreaker, accept, ack).
  handlerTimedOut: (handler: string, timeoutMs: number) =>
    `${handler} did not finish within its timeoutMs (${timeoutMs} ms); its signal was aborted and the delivery failed`,
  contentTypeNotAccepted: (handler: string, contentType: string | undefined, accepted: readonly string[]) =>
    `${handler} does not accept content type ${contentType === undefined || contentType === '' ? '(none)' : `'${contentType}'`} ` +
    `(its accept option lists ${accepted.map((type) => (type === '' ? "'' (none)" : `'${type}'`)).join(', ')})`,
  invalidFlowOption: (handler: string, option: string, expected: string, value: unknown) =>
    `${handler}: option ${option} must be ${expected}; got ${typeof value === 'string' ? `'${value}'` : String(value)}`,
  flowOptionWithBatch: (handler: string, option: string) =>
    `${handler}: option ${option} does not apply to a batch handler (batchOptions); remove one of the two`,
  ackModeConflict: (queue: string, auto: string, manual: string) =>
    `Handlers ${auto} and ${manual} share queue '${queue}' but one consumes with ack 'auto' (noAck) and the other with manual acks; ` +
    'a queue has one consumer: give them the same ack mode',
  autoAck: (queue: string, handlers: string) =>
    `Queue '${queue}' is consumed with ack 'auto' (noAck) for ${handlers}: the broker forgets each message as it sends it, so messages ` +
    'in flight are lost if this process crashes, and none can go back to the queue (drain, requeue); failures are still copied to retry / dead-letter queues',
  autoAckNotReturned: (queue: string, count: number) =>
    `${count === 1 ? 'A message' : `${count} messages`} of queue '${queue}' could not go back to the queue: it is consumed with ack 'auto' (noAck), so ${count === 1 ? 'it is' : 'they are'} lost`,
  circuitOpened: (handler: string, queue: string, failed: number, finished: number, pauseMs: number) =>
    `Circuit breaker of ${handler} opened: ${failed} of ${finished} deliveries failed; queue '${queue}' is not consumed for ${pauseMs} ms (its messages wait there)`,
  circuitReopened: (handler: string, queue: string, pauseMs: number) =>
    `Circuit breaker of ${handler} opened again: a trial delivery failed; queue '${queue}' is not consumed for another ${pauseMs} ms`,
  circuitHalfOpen: (handler: string, queue: string, trials: number) =>
    `Circuit breaker of ${handler} half-open: consuming queue '${queue}' again; ${trials} trial deliver${trials === 1 ? 'y decides' : 'ies decide'}`,
  circuitClosed: (handler: string, queue: string) => `Circuit breaker of ${handler} closed: the trial deliveries succeeded; queue '${queue}' is consumed as before`,
  consumerOverBudget: (queue: string, heldBytes: number, limit: number) =>
    `Consumer of '${queue}' holds ${heldBytes} bytes of deliveries, over its maxInFlightBytes (${limit}): it takes no more until its handlers catch up`,
  bodyDropped: (size: number, limit: number) =>
    `body of ${size} bytes left out: over maxMessageBytes (${limit}); only the properties and headers are kept`,
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
  invalidComponentsOption: (option: string, expected: string, got: string) => `ComponentsModule option ${option} must be ${expected}; got ${got}`,
  registryMalformed: (reason: string) => `Component registry: dropped a malformed message from the registry exchange (${reason})`,
  registryUnverified: (type: string) =>
    `Component registry: dropped a ${type} without a broker-verified user_id (set registry.allowUnverified to list such instances)`,
  registryForeign: (type: string, instanceId: string, sender: string) =>
    `Component registry: ignored a ${type} for instance '${instanceId}' from ${sender}: it is not the broker user that announced the instance`,
  registryUntrusted: (component: string, sender: string) => `Component registry: ignored an instance of '${component}' from ${sender}: registry.trust refuses it`,
  registryFull: (limit: string) =>
    `Component registry is full (${limit}): a new instance was refused; instances already listed keep working. Raise registry.maxInstances / maxInstancesPerComponent if this is legitimate`,
  registrySuppressed: (count: number, seconds: number) => ` (${count} more like it in the last ${seconds} s were not logged)`,
  componentNotListable: (component: string, reason: string) =>
    `Component ${component}: registries will drop its announcement (${reason}); it is served, but not listed`,
  componentsUserIdRefused: (userId: string, reason: string) =>
    `The broker refused this app's component announcements with user_id '${userId}' (${reason}); announcing without one, so registries that require a verified user will not list them. ` +
    "Set ComponentsModule's userId to the user the broker authenticates this connection as.",

  // Validation with Standard Schemas (schema-validation, issue 27).
  schemaAndDto: (handler: string, dto: string) =>
    `${handler} has a schema and its payload parameter is typed with ${dto}, a class-validator DTO: one of the two would be ignored. ` +
    'Keep one: drop the schema, or type the parameter with the schema\'s output (a plain type) instead of the DTO',
  twoSchemas: (handler: string) =>
    `${handler} is given two different schemas (among its schema option, its contract's and @RabbitPayload({ schema })); give it one`,
  notAStandardSchema: (handler: string) =>
    `The schema of ${handler} is not a Standard Schema (an object with a '~standard' property of version 1, as zod 4, valibot 1 and arktype 2 make); ` +
    'for a class-validator DTO, type the payload parameter with it or set the contract\'s request/payload to it',
  componentSchemaAndDto: (component: string, method: string, dto: string) =>
    `Component method ${component}.${method} has a schema and a parameter typed with ${dto}, a class-validator DTO: keep one of the two`,
  publishInvalid: (vendor: string, issues: string) => `it does not match the contract's ${vendor} schema (${issues})`,
  replyInvalid: (target: string, what: string, issues: string) =>
    `The reply of RPC ${target} does not match the contract's response (${what}): ${issues}`,

  // The `warren` command line. Names and reasons given here are already printable (escaped, redacted).
  cliUrlNotParsable: (source: string) =>
    `The AMQP URL (${source}) cannot be parsed: (not shown). Expected amqp(s)://host:port/vhost with user:password@ before the host; ` +
    'percent-encode @ : / ? # % and spaces in the user name and password',
  cliUrlPasswordInArguments: (option: string, variable: string) =>
    `${option} carries a password, which other users of this machine can read in the process list; put the URL in ${variable} instead`,
  cliManagementUrlNotParsable: (source: string) =>
    `The management API URL (${source}) cannot be parsed: (not shown). Expected http(s)://host:15672`,
  cliManagementEndpoint: (base: string, source: string) => `management API: ${base} (${source})`,
  cliBrokerEndpoint: (uri: string, source: string) => `broker: ${uri} (${source})`,
  cliManagementRefused: (base: string, source: string, status: number) =>
    `The management API at ${base} (${source}) answered HTTP ${status}` +
    (status === 401 ? ': wrong credentials, or the user lacks the management tag (rabbitmqctl set_user_tags <user> management)' : status === 403 ? ': the user may not read this vhost' : ''),
  cliNeedsSource: (dlq: string) =>
    `'${dlq}' is not named <queue>.dlq, so the queue its messages were parked from is not known: name it with --source <queue> (repeat it for several)`,
  cliCopyFailed: (id: string, target: string, reason: string, skipping: boolean) =>
    `the copy of message ${id} for ${target} was refused (${reason}); it stays parked` +
    (skipping ? '' : '. Nothing further was replayed; --skip-failed goes on past such messages'),
  cliBrokerError: (reason: string) => `RabbitMQ refused: ${reason}`,
  eventErrorHidden:
    "Internal server error (Nest's default exception filter replaced the handler's error before Warren saw it; " +
    'use WarrenRpcExceptionFilter, e.g. { exposeErrors: false }, to keep the real reason in dead letters)',
  transportNoEvents: (what: string) => `${what} has no events to listen to; Warren logs connection changes itself`,
  transportNotStarted: (what: string, step: string) => `${what} is not ${step} yet`,
  faultsWrongBroker: (url: string, command: string, what: string) =>
    `WarrenFaults refuses to act: '${command}' drives a node that is not the broker at ${url} (${what}). ` +
    'Point rabbitmqctl at that broker (options rabbitmqctl/nodeName, or WARREN_RABBITMQCTL/RABBITMQ_NODENAME), ' +
    "or set brokerPort (WARREN_BROKER_PORT) when the node listens on another port than the URL's (a container's port mapping)",
  faultsUnverified: (url: string, command: string, reason: string) =>
    `WarrenFaults refuses to act: cannot ask '${command}' which broker it drives, so cannot tell it is the one at ${url}: ${reason}`,
  reconnectFailed: (connection: string, attempt: number, reason: string, nextDelayMs: number | undefined) =>
    nextDelayMs === undefined
      ? `Reconnect attempt ${attempt} of connection '${connection}' failed (${reason}); that was the last one`
      : `Reconnect attempt ${attempt} of connection '${connection}' failed (${reason}); next attempt in ${nextDelayMs} ms`,
  connectionGaveUp: (connection: string, attempts: number, reason: string) =>
    `Warren gave up reconnecting connection '${connection}' after ${attempts} failed attempts (connection.reconnect.maxAttempts); last error: ${reason}. ` +
    'Nothing is published or requested any more: restart the application (or close and recreate Warren) once the broker is reachable',
  gaveUpProblem: (connection: string, attempts: number, reason: string) =>
    `gave up reconnecting '${connection}' after ${attempts} attempts: ${reason}`,
  eventListenerFailed: (event: string, reason: string) => `A listener of Warren's '${event}' event threw (ignored): ${reason}`,
  reconnectNotAnObject: (value: unknown) => `Option connection.reconnect must be an object { maxAttempts?, maxDelayMs? }; got ${value === null ? 'null' : typeof value}`,
  reconnectMaxDelayTooShort: (maxDelayMs: number, delayMs: number) =>
    `Option connection.reconnect.maxDelayMs (${maxDelayMs}) must be at least connection.reconnectDelayMs (${delayMs})`,
} as const;
