import type { INestApplication } from '@nestjs/common';
import { closeAll } from './app';
import { RawClient, unique } from './broker';
import { Gate } from './flow';

/**
 * What every flow-control e2e file sets up the same way: a raw client for the whole file, and the
 * apps, gates, queues and exchanges a test made — gates opened (a held handler would hold the
 * drain), apps closed, queues and exchanges deleted after each test. Call it inside `describe`.
 */
export function useFlowFixture() {
  const fixture = {
    raw: undefined as unknown as RawClient,
    apps: [] as INestApplication[],
    gates: [] as Gate[],
    queues: [] as string[],
    exchanges: [] as string[],
    /** A queue name of this file's, deleted after the test. */
    queue(label: string): string {
      const name = unique(`q.flow.${label}`);
      fixture.queues.push(name);
      return name;
    },
    /** A gate opened after the test if it is still shut. */
    gate(): Gate {
      const created = new Gate();
      fixture.gates.push(created);
      return created;
    },
  };
  beforeAll(async () => {
    fixture.raw = await RawClient.connect();
  });
  afterEach(async () => {
    fixture.gates.splice(0).forEach((gate) => gate.open());
    await closeAll(...fixture.apps.splice(0));
    await fixture.raw.deleteQueues(...fixture.queues.splice(0));
    await fixture.raw.deleteExchanges(...fixture.exchanges.splice(0));
  });
  afterAll(async () => {
    await fixture.raw.close();
  });
  return fixture;
}
