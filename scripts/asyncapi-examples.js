#!/usr/bin/env node
// Rewrites docs/asyncapi/<app>.json, the AsyncAPI document of each sample app, by running
// test/asyncapi-examples.e2e-spec.ts with UPDATE_ASYNCAPI_EXAMPLES=1 (the apps run on the in-memory
// broker: no RabbitMQ needed). Without the variable that test checks the committed files instead.
const { spawnSync } = require('child_process');
const { join } = require('path');

const root = join(__dirname, '..');
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, [jest, '--runInBand', 'test/asyncapi-examples.e2e-spec.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, UPDATE_ASYNCAPI_EXAMPLES: '1' },
});
process.exit(result.status ?? 1);
