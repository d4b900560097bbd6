// The cluster suite (npm run test:cluster): Warren against a real 3-node RabbitMQ cluster that the
// global setup starts with scripts/cluster.js and the global teardown removes, pass or fail.
const base = require('./jest.config');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/cluster/**/*.cluster-spec.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.js',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.js',
  testTimeout: 180000,
};
