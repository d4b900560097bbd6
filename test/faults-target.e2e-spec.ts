import { WarrenFaults, WrongBrokerError } from 'nestjs-warren/testing';
import { unique } from './support/broker';
import { TARGET } from './support/target';

/** A stand-in for rabbitmqctl that prints `output` (or fails), whatever it is asked. */
const fakeCtl = (script: string) => ['sh', '-c', script, 'fake-rabbitmqctl'];

async function refusal(act: Promise<unknown>): Promise<WrongBrokerError> {
  const error = await act.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WrongBrokerError)) throw new Error(`expected a WrongBrokerError, got ${String(error)}`);
  return error;
}

/**
 * The fault kit acts only on the broker its URL names: it checks the node rabbitmqctl drives first,
 * so a suite pointed at one broker can never stop, alarm or close connections on another.
 * Nothing here disrupts a broker: every refused act is a forced close of connections no one has.
 */
describe('nestjs-warren/testing: WarrenFaults acts only on its own broker (real broker)', () => {
  it("verifies the suite's target: its node listens on the URL's port and is the cluster the URL's broker announces", async () => {
    await expect(new WarrenFaults().verifyTarget()).resolves.toBeUndefined();
  });

  it("refuses when the node rabbitmqctl drives does not listen on the URL's port", async () => {
    const url = new URL(TARGET.url);
    url.port = String(TARGET.port + 7);
    const faults = new WarrenFaults({ url: url.toString(), timeoutMs: 5_000 });
    const error = await refusal(faults.closeConnections(unique('nobody'), 'must not happen'));
    expect(error.code).toBe('WRONG_BROKER');
    expect(error.message).toContain(`not ${TARGET.port + 7}`);
    expect(error.message).not.toMatch(/guest:guest/);
  });

  it("refuses when the node listens on the URL's port but is another cluster than the broker at the URL", async () => {
    const faults = new WarrenFaults({ rabbitmqctl: fakeCtl(`echo '{<<"elsewhere@nowhere">>,[${TARGET.brokerPort}],[]}'`) });
    const error = await refusal(faults.stopBroker());
    expect(error.code).toBe('WRONG_BROKER');
    expect(error.message).toMatch(/the node is cluster 'elsewhere@nowhere', the broker at the URL announces '[^']+'/);
  });

  it('refuses when rabbitmqctl cannot say which node it drives', async () => {
    const faults = new WarrenFaults({ rabbitmqctl: fakeCtl('echo "Error: unable to perform an operation on node" >&2; exit 69') });
    const error = await refusal(faults.withMemoryAlarm(async () => 'never run'));
    expect(error.code).toBe('BROKER_UNVERIFIED');
    expect(error.message).toContain('unable to perform an operation on node');
  });

  it('the brokerPort option (WARREN_BROKER_PORT) is the port the node itself listens on, behind a port mapping', async () => {
    const url = new URL(TARGET.url);
    url.port = String(TARGET.port + 7); // as if mapped: the check compares the node's own port instead
    const faults = new WarrenFaults({ url: url.toString(), brokerPort: TARGET.brokerPort, timeoutMs: 5_000 });
    await expect(faults.verifyTarget()).resolves.toBeUndefined();
  });
});
