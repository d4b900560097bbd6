import type { Command } from 'commander';
import { encodeBody } from '../codec/message-codec';
import { optionalPositive } from './cli-arguments';
import type { CliContext } from './cli-context';
import { CommandFailedError, UsageError } from './cli-errors';
import { preview, printable } from './terminal-text';

/** `warren publish` and `warren tail`, for debugging a running system. */
export function addDebugCommands(program: Command, context: CliContext): void {
  const { io } = context;

  program
    .command('publish <exchange> <routingKey> <json>')
    .description("publish one JSON message (mandatory, confirmed); exchange '' is the default exchange")
    .action(async (exchange: string, routingKey: string, json: string) => {
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new UsageError(`The message is not JSON: ${(error as Error).message}`);
      }
      const body = encodeBody(value);
      const target = `'${printable(exchange)}'/'${printable(routingKey)}'`;
      await context.withSession(async (session) => {
        const { channel } = await session.publisher();
        await new Promise<void>((resolve, reject) => {
          let returned = false;
          const onReturn = () => (returned = true);
          channel.once('return', onReturn);
          channel.publish(exchange, routingKey, body.content, { contentType: body.contentType, persistent: true, mandatory: true }, (error) => {
            channel.off('return', onReturn);
            if (error) reject(error);
            else if (returned) reject(new CommandFailedError(`Nothing is bound for ${target}`));
            else resolve();
          });
        });
        io.out(`Published to ${target}`);
      });
    });

  program
    .command('tail <exchange> <pattern>')
    .description('print messages routed through the exchange with a binding pattern (a temporary queue; Ctrl-C stops)')
    .option('--count <n>', 'stop after this many')
    .action(async (exchange: string, pattern: string, options: { count?: string }) => {
      const limit = optionalPositive(options.count, '--count') ?? Infinity;
      await context.withSession(async (session) => {
        const guarded = await session.publisher();
        const { channel } = guarded;
        const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
        await channel.bindQueue(queue, exchange, pattern);
        io.out(`tailing '${printable(exchange)}' with '${printable(pattern)}'`);
        await new Promise<void>((resolve, reject) => {
          let seen = 0;
          const stop = () => resolve();
          const lost = () => reject(new CommandFailedError(`The channel closed${guarded.reason ? `: ${guarded.reason}` : ''}`));
          process.once('SIGINT', stop);
          channel.once('close', lost);
          const done = () => {
            process.off('SIGINT', stop);
            channel.off('close', lost);
          };
          channel
            .consume(
              queue,
              (message) => {
                if (message) io.out(`${printable(message.fields.routingKey)}\t${preview(message.content, 500)}`);
                if (!message || ++seen >= limit) {
                  done();
                  resolve();
                }
              },
              { noAck: true },
            )
            .catch((error: unknown) => {
              done();
              reject(error);
            });
        });
      });
    });
}
