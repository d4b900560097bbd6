/** Removes what one scenario run leaves on the broker: the transport's durable queues and the exchanges. */
const amqplib = require('amqplib');

async function removeLeftovers(exchange) {
  const connection = await amqplib.connect(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  try {
    const channel = await connection.createChannel();
    for (const queue of [`${exchange}.ms.q`, `${exchange}.ms.q.dlq`]) await channel.deleteQueue(queue);
    for (const name of [`${exchange}.ms`, exchange]) await channel.deleteExchange(name);
  } finally {
    await connection.close();
  }
}

module.exports = { removeLeftovers };
