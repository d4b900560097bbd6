/**
 * One competing consumer for the cluster bench: a standalone Warren (createWarren) consuming QUEUE
 * (QUEUE_TYPE) on URIS with prefetch 100. Prints READY once consuming, then `T <first> <last> <count>`
 * (epoch ms of its first and last message) when the parent sends it SIGTERM, and `C <count>`
 * every 500 messages meanwhile.
 */
import { createWarren } from 'nestjs-warren';

async function main() {
  const queueType = process.env.QUEUE_TYPE as 'classic' | 'quorum';
  const warren = await createWarren({ uri: process.env.URIS!.split(','), logger: false, prefetch: 100, connection: { name: 'bench-consumer' } });
  let first = 0;
  let last = 0;
  let count = 0;
  await warren.consumers.add({ type: 'subscribe', queue: process.env.QUEUE!, queueType, retry: false, deadLetterQueue: false }, () => {
    last = Date.now();
    if (count++ === 0) first = last;
    if (count % 500 === 0) process.stdout.write(`C ${count}\n`);
  });
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    process.stdout.write(`T ${first} ${last} ${count}\n`);
    void warren.close().then(() => process.exit(0));
  });
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
