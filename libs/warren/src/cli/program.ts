import { Command } from 'commander';
import { encodeBody } from '../codec/message-codec';
import { safeUri } from '../logging/redact';
import { BrokerSession } from './broker-session';
import { moveMessages, originOf, peek, reasonOf } from './dead-letters';
import { listQueues } from './management-api';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** `warren`: look at, replay and clear dead letters; publish and tail for debugging. */
export function buildProgram(io: CliIo, env: NodeJS.ProcessEnv = process.env): Command {
  const program = new Command('warren')
    .description('Warren command line: dead letters, publish, tail')
    .option('--url <url>', 'AMQP URL (default: RABBITMQ_URL, else amqp://guest:guest@127.0.0.1:5672)')
    .option('--management-url <url>', 'management API base (default: WARREN_MANAGEMENT_URL, else http://<host>:15672)')
    .showHelpAfterError()
    .exitOverride();
  const url = () => (program.opts().url as string | undefined) ?? env.RABBITMQ_URL ?? DEFAULT_URL;
  const withSession = async <T>(work: (session: BrokerSession) => Promise<T>): Promise<T> => {
    const session = await BrokerSession.open(url());
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  };

  const dlq = program.command('dlq').description('dead-letter queues (<queue>.dlq)');

  dlq
    .command('list')
    .description('every *.dlq with its message count and the age of its oldest message')
    .action(async () => {
      const queues = (await listQueues(url(), (program.opts().managementUrl as string | undefined) ?? env.WARREN_MANAGEMENT_URL)).filter((q) => q.name.endsWith('.dlq'));
      if (queues.length === 0) return io.out(`No dead-letter queues on ${safeUri(url())}`);
      for (const q of queues.sort((a, b) => b.messages - a.messages)) {
        const age = q.head_message_timestamp ? `, oldest ${formatAge(Date.now() / 1000 - q.head_message_timestamp)}` : '';
        io.out(`${q.name}\t${q.messages} message(s)${age}`);
      }
    });

  dlq
    .command('inspect <queue>')
    .description('show parked messages (headers, reason, attempts, body preview); nothing is removed')
    .option('--limit <n>', 'messages to show', '10')
    .action(async (queue: string, options: { limit: string }) =>
      withSession(async (session) => {
        const messages = await peek(session, queue, positive(options.limit, '--limit'));
        io.out(`${queue}: showing ${messages.length} of ${await session.count(queue)} message(s)`);
        for (const message of messages) {
          const headers = message.properties.headers ?? {};
          const origin = originOf(message, queue);
          io.out(`- ${message.properties.messageId ?? '(no id)'} from '${origin.exchange}'/'${origin.routingKey}', attempts ${headers['warren-attempt'] ?? '?'}`);
          io.out(`  reason: ${reasonOf(message)}${headers['warren-error-code'] ? ` (${headers['warren-error-code']})` : ''}`);
          io.out(`  body: ${message.content.toString('utf8').slice(0, 200)}`);
        }
      }),
    );

  dlq
    .command('replay <queue>')
    .description('send parked messages back where they came from, one at a time, each acked only after its copy is confirmed')
    .option('--limit <n>', 'at most this many')
    .option('--filter <expr>', "only these, e.g. 'reason=timeout' (the reason contains the text)")
    .action(async (queue: string, options: { limit?: string; filter?: string }) =>
      withSession(async (session) => {
        const result = await moveMessages(session, queue, {
          limit: options.limit === undefined ? undefined : positive(options.limit, '--limit'),
          reasonContains: reasonFilter(options.filter),
          onProgress: (done, total) => (done % 100 === 0 || done === total) && io.out(`replayed ${done}/${total}`),
        });
        io.out(`Replayed ${result.moved} message(s) from ${queue}${result.skipped ? `; ${result.skipped} did not match the filter and stay` : ''}`);
      }),
    );

  dlq
    .command('move <from> <to>')
    .description('move parked messages to another queue (confirmed, one at a time)')
    .option('--limit <n>', 'at most this many')
    .action(async (from: string, to: string, options: { limit?: string }) =>
      withSession(async (session) => {
        await session.count(to);
        const result = await moveMessages(session, from, { toQueue: to, limit: options.limit === undefined ? undefined : positive(options.limit, '--limit') });
        io.out(`Moved ${result.moved} message(s) from ${from} to ${to}`);
      }),
    );

  dlq
    .command('purge <queue>')
    .description('delete every message in the queue (asks for --yes)')
    .option('--yes', 'really delete them')
    .action(async (queue: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`This deletes every message in ${queue}; run again with --yes to do it`);
      await withSession(async (session) => {
        const { messageCount } = await session.channel.purgeQueue(queue);
        io.out(`Purged ${messageCount} message(s) from ${queue}`);
      });
    });

  program
    .command('publish <exchange> <routingKey> <json>')
    .description("publish one JSON message (mandatory, confirmed); exchange '' is the default exchange")
    .action(async (exchange: string, routingKey: string, json: string) =>
      withSession(async (session) => {
        let value: unknown;
        try {
          value = JSON.parse(json);
        } catch (error) {
          throw new UsageError(`The message is not JSON: ${(error as Error).message}`);
        }
        const body = encodeBody(value);
        await new Promise<void>((resolve, reject) => {
          let returned = false;
          session.channel.once('return', () => (returned = true));
          session.channel.publish(exchange, routingKey, body.content, { contentType: body.contentType, persistent: true, mandatory: true }, (error) =>
            error ? reject(new Error('The broker refused the message')) : returned ? reject(new Error(`Nothing is bound for '${exchange}'/'${routingKey}'`)) : resolve(),
          );
        });
        io.out(`Published to '${exchange}'/'${routingKey}'`);
      }),
    );

  program
    .command('tail <exchange> <pattern>')
    .description('print messages routed through the exchange with a binding pattern (a temporary queue; Ctrl-C stops)')
    .option('--count <n>', 'stop after this many')
    .action(async (exchange: string, pattern: string, options: { count?: string }) =>
      withSession(async (session) => {
        const limit = options.count === undefined ? Infinity : positive(options.count, '--count');
        const { queue } = await session.channel.assertQueue('', { exclusive: true, autoDelete: true });
        await session.channel.bindQueue(queue, exchange, pattern);
        io.out(`tailing '${exchange}' with '${pattern}'`);
        await new Promise<void>((resolve) => {
          let seen = 0;
          process.once('SIGINT', () => resolve());
          void session.channel.consume(
            queue,
            (message) => {
              if (!message) return resolve();
              io.out(`${message.fields.routingKey}\t${message.content.toString('utf8').slice(0, 500)}`);
              if (++seen >= limit) resolve();
            },
            { noAck: true },
          );
        });
      }),
    );

  return program;
}

/** A mistake in how the command was called (exit code 2), as opposed to a failure (1). */
export class UsageError extends Error {}

function positive(value: string, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a whole number >= 1, got '${value}'`);
  return n;
}

function reasonFilter(filter: string | undefined): string | undefined {
  if (filter === undefined) return undefined;
  const match = /^reason=(.*)$/.exec(filter);
  if (!match) throw new UsageError(`--filter takes 'reason=<text>', got '${filter}'`);
  return match[1];
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
