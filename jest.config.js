/** Unit, contract and integration suites; the browser suite has its own config (tests/e2e). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/tests/{unit,contract,integration}/**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 20000,
  maxWorkers: 2,
};
