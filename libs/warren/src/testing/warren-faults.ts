import { execFile } from 'child_process';
import * as amqplib from 'amqplib';
import { promisify } from 'util';
import { safeUri } from '../logging/redact';
import { waitFor } from './wait-for';

const run = promisify(execFile);

/** Options of the fault kit. */
export interface WarrenFaultsOptions {
  /** The broker the kit checks it can reach again. @default RABBITMQ_URL, else amqp://guest:guest@127.0.0.1:5672 */
  url?: string;
  /** How `rabbitmqctl` is run (a path, or a wrapper such as `docker exec rabbitmq rabbitmqctl`). @default ['rabbitmqctl'] */
  rabbitmqctl?: string[];
  /** Longest wait for any one command or recovery. @default 60000 */
  timeoutMs?: number;
}

/**
 * Faults for your own end-to-end suites, against a broker you control (it uses `rabbitmqctl`):
 * drop connections, stop and start the broker, raise a memory alarm — each bounded in time, and
 * with `restore()` for `finally` blocks so a failed test never leaves a broken broker behind.
 * Warren's own chaos tests use it.
 */
export class WarrenFaults {
  private readonly url: string;
  private readonly ctl: string[];
  private readonly timeoutMs: number;

  constructor(options: WarrenFaultsOptions = {}) {
    this.url = options.url ?? process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
    this.ctl = options.rabbitmqctl ?? ['rabbitmqctl'];
    this.timeoutMs = options.timeoutMs ?? 60_000;
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

  private async rabbitmqctl(...args: string[]): Promise<string> {
    const [command, ...prefix] = this.ctl;
    const { stdout } = await run(command, [...prefix, ...args], { timeout: this.timeoutMs });
    return stdout;
  }
}
