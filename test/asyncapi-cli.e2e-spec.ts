import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const CLI = join(__dirname, '..', 'libs', 'warren', 'dist', 'cli', 'main.js');

/** Runs the built `warren` as a user would; bounded in time. */
function warren(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`warren ${args.join(' ')} ran over 20 s`));
    }, 20_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

function document(payload: Record<string, unknown>, withAudit = true) {
  const operations: Record<string, unknown> = {
    Billing_onOrder: { action: 'receive', channel: { $ref: '#/channels/orders' }, messages: [{ $ref: '#/channels/orders/messages/Order' }] },
  };
  if (withAudit) operations.Audit_onOrder = { action: 'receive', channel: { $ref: '#/channels/orders' }, messages: [{ $ref: '#/channels/orders/messages/Order' }] };
  return {
    asyncapi: '3.0.0',
    info: { title: 'shop', version: '1.0.0' },
    channels: { orders: { address: 'order.created', messages: { Order: { $ref: '#/components/messages/Order' } } } },
    operations,
    components: { messages: { Order: { name: 'Order', payload } } },
  };
}

/** `warren asyncapi diff` as CI runs it: the exit code says whether a release breaks the other side. */
describe('warren asyncapi diff (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-asyncapi-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const v1 = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, amount: { type: 'number' } } };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 0 for an optional property added, naming it', async () => {
    const run = await warren(['asyncapi', 'diff', file('v1.json', document(v1)), file('v2.json', document({ ...v1, properties: { ...v1.properties, note: { type: 'string' } } }))]);
    expect(run.code).toBe(0);
    expect(run.out).toContain("compatible operation 'Billing_onOrder' message 'Order' payload.note: optional property added");
    expect(run.out).toContain('No breaking changes');
  });

  it('exits 1 and names each breaking change: an operation removed, a required property added, a type changed', async () => {
    const next = { type: 'object', required: ['id', 'currency'], properties: { id: { type: 'integer' }, amount: { type: 'number' }, currency: { type: 'string' } } };
    const run = await warren(['asyncapi', 'diff', file('old.json', document(v1)), file('new.json', document(next, false))]);
    expect(run.code).toBe(1);
    const breaking = run.out.split('\n').filter((line) => line.startsWith('BREAKING'));
    expect(breaking.sort()).toEqual([
      "BREAKING   operation 'Audit_onOrder' removed (receive on address 'order.created')",
      "BREAKING   operation 'Billing_onOrder' message 'Order' payload.currency: required property added",
      "BREAKING   operation 'Billing_onOrder' message 'Order' payload.id: type changed from string to integer",
    ]);
    expect(run.err).toMatch(/warren: 3 breaking change\(s\) from .*old\.json to .*new\.json/);
  });

  it('exits 2 for a file that is not an AsyncAPI 3 JSON document', async () => {
    const notJson = await warren(['asyncapi', 'diff', file('a.json', document(v1)), file('broken.json', '{ nope')]);
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(/broken\.json is not JSON/);
    const old = await warren(['asyncapi', 'diff', file('b.json', { asyncapi: '2.6.0' }), file('c.json', document(v1))]);
    expect(old.code).toBe(2);
    expect(old.err).toMatch(/not an AsyncAPI 3 document/);
  });
});
