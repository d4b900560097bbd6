import type { Command } from 'commander';
import { MESSAGES } from '../warren.messages';
import { collect, formatAge, optionalPositive, positive, reasonFilter } from './cli-arguments';
import type { CliContext } from './cli-context';
import { CommandFailedError, UsageError } from './cli-errors';
import { originOf, readParked, reasonOf } from './dead-letters';
import { listQueues } from './management-api';
import { ReplayRules, TargetTally } from './replay-plan';
import { MoveResult, moveMessages, planReplay } from './replay-run';
import { headersText, preview, printable } from './terminal-text';
import { BrokerCapabilities } from '../connection/broker-capabilities';

const SHOWN_FAILURES = 20;

/** `warren dlq …`: look at, replay, move and purge dead letters. */
export function addDlqCommands(program: Command, context: CliContext): void {
  const { io } = context;
  const dlq = program.command('dlq').description('dead-letter queues (<queue>.dlq)');

  dlq
    .command('list')
    .description('every *.dlq with its message count and the age of its oldest message')
    .action(async () => {
      const queues = (await listQueues(context.management())).filter((q) => q.name.endsWith('.dlq'));
      if (queues.length === 0) return io.out(`No dead-letter queues on ${printable(context.amqp().printable)}`);
      for (const q of queues.sort((a, b) => b.messages - a.messages)) {
        const age = q.head_message_timestamp ? `, oldest ${formatAge(Date.now() / 1000 - q.head_message_timestamp)}` : '';
        io.out(`${printable(q.name)}\t${q.messages} message(s)${age}`);
      }
    });

  dlq
    .command('inspect <queue>')
    .description('show parked messages (headers, reason, attempts, body preview); nothing is removed. Holds one message at a time')
    .option('--limit <n>', 'messages to show', '10')
    .action(async (queue: string, options: { limit: string }) =>
      context.withSession(async (session) => {
        const limit = positive(options.limit, '--limit');
        const total = await session.count(queue);
        io.out(`${printable(queue)}: showing ${Math.min(limit, total)} of ${total} message(s)`);
        // Each message goes back with basic.nack: RabbitMQ 4.3+ does not count that as a delivery; 4.0–4.2 do.
        const broker = BrokerCapabilities.of(session.connection);
        if (broker.unlimitedDeliveryLimit && broker.nackRequeueCounts && total > 0) io.err(`warren: ${MESSAGES.cliReadsCount(broker.label)}`);
        for await (const { message } of readParked(session, queue, Math.min(limit, total))) {
          const { 'x-death': _death, ...headers } = (message.properties.headers ?? {}) as Record<string, unknown>;
          const origin = originOf(message, queue);
          const code = headers['warren-error-code'];
          io.out(`- ${printable(String(message.properties.messageId ?? '(no id)'))} from '${printable(origin.exchange)}'/'${printable(origin.routingKey)}', attempts ${printable(String(headers['warren-attempt'] ?? '?'))}`);
          io.out(`  reason: ${printable(reasonOf(message))}${code ? ` (${printable(String(code))})` : ''}`);
          io.out(`  headers: ${headersText(headers, 500)}`);
          io.out(`  body: ${preview(message.content, 200)}`);
        }
      }),
    );

  dlq
    .command('replay <queue>')
    .description(
      'send parked messages back to the queue they were parked from (through the default exchange), one at a time, ' +
        'each acked only after its copy is confirmed; the copy starts afresh (no failure headers, user_id or expiration)',
    )
    .option('--limit <n>', 'at most this many')
    .option('--filter <expr>', "only these, e.g. 'reason=timeout' (the reason contains the text)")
    .option('--source <queue>', "a queue this DLQ parks for (default: the name without '.dlq'); repeat for several. Others stay parked", collect, [])
    .option('--to-origin', 'publish to the exchange and routing key the headers record instead, after listing them')
    .option('--dry-run', 'list where the messages would go; publish nothing')
    .option('--skip-failed', 'go on past a copy the broker refuses (it stays parked; exit code 1)')
    .action(async (queue: string, options: { limit?: string; filter?: string; source: string[]; toOrigin?: boolean; dryRun?: boolean; skipFailed?: boolean }) => {
      const limit = optionalPositive(options.limit, '--limit');
      const rules: ReplayRules = { reasonContains: reasonFilter(options.filter), sources: sourcesOf(queue, options.source), toOrigin: options.toOrigin };
      const sources = rules.sources.map((s) => `'${printable(s)}'`).join(', ');
      await context.withSession(async (session) => {
        if (!options.toOrigin && !options.dryRun) for (const source of rules.sources) await session.count(source);
        let listed: TargetTally | undefined;
        if (options.toOrigin || options.dryRun) {
          const plan = await planReplay(session, queue, rules, limit);
          io.out(plan.copies ? `${options.dryRun ? 'Would replay' : 'Replaying'} ${plan.copies} message(s) from ${printable(queue)} to:` : `Nothing to replay in ${printable(queue)}`);
          for (const line of plan.targets.lines()) io.out(line);
          const skipped = [plan.unmatched && `${plan.unmatched} did not match the filter`, plan.foreign && `${plan.foreign} name another queue than ${sources} and stay parked`];
          if (skipped.some(Boolean)) io.out(skipped.filter(Boolean).join('; '));
          if (options.dryRun) return io.out('Dry run: nothing was published');
          listed = plan.targets;
        }
        let shown = 0;
        const result = await moveMessages(session, queue, {
          ...rules,
          limit,
          only: listed,
          skipFailed: options.skipFailed,
          onProgress: (done, total) => (done % 100 === 0 || done === total) && io.out(`replayed ${done}/${total}`),
          onFailure: (line) => shown++ < SHOWN_FAILURES && io.err(`warren: ${line}${shown === SHOWN_FAILURES ? ' (further refusals are counted, not shown)' : ''}`),
        });
        report(io, `Replayed ${result.moved} message(s) from ${printable(queue)}`, result, sources);
      });
    });

  dlq
    .command('move <from> <to>')
    .description('move parked messages to another queue (confirmed, one at a time)')
    .option('--limit <n>', 'at most this many')
    .option('--skip-failed', 'go on past a copy the broker refuses (it stays parked; exit code 1)')
    .action(async (from: string, to: string, options: { limit?: string; skipFailed?: boolean }) =>
      context.withSession(async (session) => {
        await session.count(to);
        const result = await moveMessages(session, from, { sources: [], toQueue: to, limit: optionalPositive(options.limit, '--limit'), skipFailed: options.skipFailed, onFailure: (line) => io.err(`warren: ${line}`) });
        report(io, `Moved ${result.moved} message(s) from ${printable(from)} to ${printable(to)}`, result, '');
      }),
    );

  dlq
    .command('purge <queue>')
    .description('delete every message in the queue (asks for --yes)')
    .option('--yes', 'really delete them')
    .action(async (queue: string, options: { yes?: boolean }) => {
      if (!options.yes) throw new UsageError(`This deletes every message in ${printable(queue)}; run again with --yes to do it`);
      await context.withSession(async (session) => {
        await session.count(queue);
        const { messageCount } = await (await session.publisher()).channel.purgeQueue(queue);
        io.out(`Purged ${messageCount} message(s) from ${printable(queue)}`);
      });
    });
}

/** The DLQ's source queues: --source, else the name without `.dlq`. */
function sourcesOf(dlq: string, given: string[]): string[] {
  if (given.length > 0) return given;
  if (dlq.endsWith('.dlq') && dlq.length > 4) return [dlq.slice(0, -4)];
  throw new UsageError(MESSAGES.cliNeedsSource(printable(dlq)));
}

/** The summary line; exit code 1 when anything the run was meant to move stays parked. */
function report(io: CliContext['io'], done: string, result: MoveResult, sources: string): void {
  const parts = [
    done,
    result.unmatched && `${result.unmatched} did not match the filter and stay`,
    result.foreign && `${result.foreign} name another queue than ${sources} and stay parked`,
    result.failed && `${result.failed} could not be replayed and stay parked`,
    result.unlisted && `${result.unlisted} arrived after the targets were listed, with other targets, and stay parked`,
  ];
  io.out(parts.filter(Boolean).join('; '));
  if (result.stoppedBy) throw new CommandFailedError(result.stoppedBy);
  if (result.failed || result.foreign || result.unlisted) throw new CommandFailedError('');
}
