import { execFile } from 'child_process';
import * as amqplib from 'amqplib';
import { promisify } from 'util';
import { WrongBrokerError } from '../errors/wrong-broker.error';
import { redactText, safeUri } from '../logging/redact';
import { MESSAGES } from '../warren.messages';
import { IDENTITY_EXPRESSION, announcedClusterName, parseNodeIdentity } from './broker-identity';
import { BrokerTarget, resolveBrokerTarget } from './broker-target';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** Options of the fault kit. */
export interface WarrenFaultsOptions {
  /** The broker the kit checks it can reach again. @default RABBITMQ_URL, else amqp://guest:guest@127.0.0.1:5672 */
  url?: string;
  /**
   * How `rabbitmqctl` is run (a path, or a wrapper such as `docker exec rabbitmq rabbitmqctl`).
   * @default WARREN_RABBITMQCTL split on spaces, else ['rabbitmqctl']
   */
  rabbitmqctl?: string[];
  /** The node `rabbitmqctl` drives (`-n`). @default RABBITMQ_NODENAME, else rabbitmqctl's own default */
  nodeName?: string;
  /**
   * The AMQP port the node itself listens on, when it differs from the URL's (a container's port mapping).
   * @default WARREN_BROKER_PORT, else the URL's port
   */
  brokerPort?: number;
  /** Longest wait for any one command or recovery. @default 60000 */
  timeoutMs?: number;
}

/**
 * Faults for your own end-to-end suites, against a broker you control (it uses `rabbitmqctl`):
 * drop connections, stop and start the broker, raise a memory alarm — each bounded in time, and
 * with `restore()` for `finally` blocks so a failed test never leaves a broken broker behind.
 * Before its first act it checks that the node `rabbitmqctl` drives is the broker the URL names
 * (its listener ports, and the cluster name that broker announces), and refuses with a
 * `WrongBrokerError` otherwise. Warren's own chaos tests use it.
 */
export class WarrenFaults {
  /** The broker this kit acts on (see `resolveBrokerTarget`). */
  readonly target: BrokerTarget;
  private readonly url: string;
  private readonly ctl: string[];
  private readonly timeoutMs: number;
  private verified?: Promise<void>;

  constructor(options: WarrenFaultsOptions = {}) {
    this.target = resolveBrokerTarget({ url: options.url, rabbitmqctl: options.rabbitmqctl, nodeName: options.nodeName, brokerPort: options.brokerPort });
    this.url = this.target.url;
    this.ctl = this.target.rabbitmqctl;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  /**
   * Resolves once the node `rabbitmqctl` drives is known to be the broker at the URL: it is configured
   * to listen on the URL's port (or `brokerPort`) and, when that broker answers, announces the same
   * cluster name. Rejects with a `WrongBrokerError` otherwise. Every fault calls it first; the answer is kept.
   */
  verifyTarget(): Promise<void> {
    this.verified ??= this.checkTarget().catch((error: unknown) => {
      this.verified = undefined;
      throw error;
    });
    return this.verified;
  }

  /** Force-closes every connection whose name (`connection.name` in Warren) starts with `prefix`; returns how many. */
  async closeConnections(prefix: string, reason = 'fault injection'): Promise<number> {
    // The table form: the JSON formatter prints pids close_connection cannot parse.
    const out = await this.rabbitmqctl('list_connections', 'pid', 'client_properties', '-q');
    const pids = out
      .split('\n')
      .filter((line) => line.includes(`{"connection_name","${prefix}`))
      .map((line) => line.split('\t')[0]);
    for (const pid of pids) await this.rabbitmqctl('close_connection', pid, reason);
    return pids.length;
  }

  /** Stops the broker application (the Erlang node stays up, so `startBroker` is quick). */
  async stopBroker(): Promise<void> {
    await this.rabbitmqctl('stop_app');
  }

  /** Starts the broker application and waits until it accepts AMQP connections. */
  async startBroker(): Promise<void> {
    await this.rabbitmqctl('start_app');
    await waitFor(() => this.reachable(), `the broker at ${safeUri(this.url)} to accept connections`, { timeoutMs: this.timeoutMs, intervalMs: 100 });
  }

  /**
   * Runs `fn` while a memory alarm blocks publishers (the watermark set absurdly low), and
   * restores the watermark it found, whatever `fn` does.
   */
  async withMemoryAlarm<T>(fn: () => Promise<T>): Promise<T> {
    const watermark = (await this.rabbitmqctl('eval', 'vm_memory_monitor:get_vm_memory_high_watermark().')).trim();
    try {
      await this.rabbitmqctl('set_vm_memory_high_watermark', '0.0000001');
      return await fn();
    } finally {
      await this.rabbitmqctl('set_vm_memory_high_watermark', /^[\d.]+$/.test(watermark) ? watermark : '0.4');
    }
  }

  /** For `finally` blocks: whatever happened, leave a broker that accepts connections. */
  async restore(): Promise<void> {
    if (!(await this.reachable())) await this.startBroker();
  }

  /** Whether the broker accepts an AMQP connection right now. */
  async reachable(): Promise<boolean> {
    try {
      const connection = await amqplib.connect(this.url);
      await connection.close();
      return true;
    } catch {
      return false;
    }
  }

  private async checkTarget(): Promise<void> {
    const url = safeUri(this.url);
    const command = this.ctl.join(' ');
    let node;
    try {
      node = parseNodeIdentity(await this.run('eval', IDENTITY_EXPRESSION));
    } catch (error) {
      throw new WrongBrokerError(MESSAGES.faultsUnverified(url, command, redactText((error as Error).message)), 'BROKER_UNVERIFIED');
    }
    const tls = new URL(this.url).protocol === 'amqps:';
    const ports = tls ? node.sslPorts : node.tcpPorts;
    const { brokerPort } = this.target;
    if (!ports.includes(brokerPort)) {
      const what = `its ${tls ? 'TLS' : 'AMQP'} listeners are on port(s) ${ports.join(', ') || 'none'}, not ${brokerPort}`;
      throw new WrongBrokerError(MESSAGES.faultsWrongBroker(url, command, what), 'WRONG_BROKER');
    }
    const announced = await announcedClusterName(this.url, Math.min(this.timeoutMs, 10_000));
    if (announced !== undefined && node.clusterName !== undefined && announced !== node.clusterName) {
      const what = `the node is cluster '${node.clusterName}', the broker at the URL announces '${announced}'`;
      throw new WrongBrokerError(MESSAGES.faultsWrongBroker(url, command, what), 'WRONG_BROKER');
    }
  }

  private async rabbitmqctl(...args: string[]): Promise<string> {
    await this.verifyTarget();
    return this.run(...args);
  }

  private async run(...args: string[]): Promise<string> {
    const [command, ...prefix] = this.ctl;
    const { stdout } = await run(command, [...prefix, ...args], { timeout: this.timeoutMs });
    return stdout;
  }
}
