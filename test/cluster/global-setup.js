// Starts the 3-node cluster once for the whole cluster suite (scripts/cluster.js tears it down on failure).
const cluster = require('../../scripts/cluster');

module.exports = async () => {
  await cluster.up();
};
