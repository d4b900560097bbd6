// Unit tests sit beside the code (libs/.../*.spec.ts); end-to-end tests against the real broker in test/.
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: { '^nestjs-warren$': '<rootDir>/libs/warren/src', '^nestjs-warren/microservices$': '<rootDir>/libs/warren/src/microservices', '^nestjs-warren/health$': '<rootDir>/libs/warren/src/health', '^nestjs-warren/asyncapi$': '<rootDir>/libs/warren/src/asyncapi', '^nestjs-warren/testing$': '<rootDir>/libs/warren/src/testing', '^nestjs-warren/golevelup$': '<rootDir>/libs/warren/src/golevelup' },
  testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/apps/*/test/**/*.spec.ts', '<rootDir>/apps/*/test/**/*.e2e-spec.ts'],
  testTimeout: 30000,
  // Every test must close what it opens; this catches the ones that do not.
  detectOpenHandles: false,
};
