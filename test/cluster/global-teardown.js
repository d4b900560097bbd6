// Stops the cluster and removes its data, whatever the tests did.
const cluster = require('../../scripts/cluster');

module.exports = async () => {
  await cluster.down();
};
