/** Unit, contract and integration suites; the browser suite has its own config (tests/e2e). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/tests/{unit,contract,integration}/**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  testTimeout: 20000,
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/retry-flakes.ts'],
  maxWorkers: 2,
  // On a CPU-starved machine jest's own 500 ms timer can fire before it sees a worker's prompt exit;
  // a real leak (a ref'd timer or socket) still holds a worker far longer than this.
  workerGracefulExitTimeout: 2000,
};
