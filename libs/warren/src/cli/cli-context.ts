import type { Command } from 'commander';
import { addRedactor } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import { AmqpTarget, parseAmqpUrl } from './amqp-url';
import { BrokerSession } from './broker-session';
import { CommandFailedError } from './cli-errors';
import { ManagementTarget, managementTarget } from './management-api';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672';
/** Shorter passwords are not searched for in output: they would hide ordinary words. */
const MIN_SECRET_LENGTH = 6;

/** What every command shares: the broker and management targets (resolved once), the output, sessions. */
export class CliContext {
  private amqpTarget?: AmqpTarget;

  constructor(
    private readonly program: Command,
    readonly io: CliIo,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /**
   * The AMQP target: --url, else RABBITMQ_URL, else the local default. A password given on the
   * command line draws a warning; any password given is redacted from everything printed after.
   */
  amqp(): AmqpTarget {
    if (this.amqpTarget) return this.amqpTarget;
    const option = this.program.opts().url as string | undefined;
    const [text, source] = option !== undefined ? [option, '--url'] : this.env.RABBITMQ_URL ? [this.env.RABBITMQ_URL, 'RABBITMQ_URL'] : [DEFAULT_URL, 'the default'];
    const target = parseAmqpUrl(text, source);
    if (option !== undefined && target.hasPassword) this.io.err(`warren: ${MESSAGES.cliUrlPasswordInArguments('--url', 'RABBITMQ_URL')}`);
    if (source !== 'the default') hideSecret(target.password, encodeURIComponent(target.password));
    if (this.verbose) this.io.err(MESSAGES.cliBrokerEndpoint(target.printable, source));
    return (this.amqpTarget = target);
  }

  /** The management API target; says on stderr which endpoint it uses (never with credentials). */
  management(): ManagementTarget {
    const option = this.program.opts().managementUrl as string | undefined;
    const target = managementTarget(this.amqp(), option, this.env.WARREN_MANAGEMENT_URL);
    if (target.hasPassword) hideSecret(target.password, encodeURIComponent(target.password));
    if (option !== undefined && target.hasPassword) this.io.err(`warren: ${MESSAGES.cliUrlPasswordInArguments('--management-url', 'WARREN_MANAGEMENT_URL')}`);
    if (this.verbose) this.io.err(MESSAGES.cliManagementEndpoint(target.base, target.source));
    return target;
  }

  /** `--verbose`: the endpoints used are said on stderr (errors always name them). */
  private get verbose(): boolean {
    return this.program.opts().verbose === true;
  }

  /** Runs `work` on a fresh session and closes it; a broker refusal becomes one printable line. */
  async withSession<T>(work: (session: BrokerSession) => Promise<T>): Promise<T> {
    const session = await BrokerSession.open(this.amqp());
    try {
      return await work(session);
    } catch (error) {
      if (error instanceof CommandFailedError || !session.lastReason()) throw error;
      throw new CommandFailedError(MESSAGES.cliBrokerError(session.lastReason()!));
    } finally {
      await session.close();
    }
  }
}

/** Redacts a password from every text printed from now on (also where it was not part of a URI). */
function hideSecret(...forms: string[]): void {
  const secrets = [...new Set(forms)].filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  if (secrets.length === 0) return;
  addRedactor((text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text));
}
