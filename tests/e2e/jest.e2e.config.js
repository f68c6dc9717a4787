// Jest config for the browser end-to-end suite only. Run it through `npm run test:e2e`
// (tests/e2e/run-e2e.js), which puts the server and Chromium in a loopback-only network namespace.
const fs = require('node:fs');
const path = require('node:path');

const rootDir = path.resolve(__dirname, '..', '..');
const tsconfig = fs.existsSync(path.join(rootDir, 'tsconfig.json')) ? '<rootDir>/tsconfig.json' : undefined;

/** @type {import('jest').Config} */
module.exports = {
  rootDir,
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', tsconfig ? { tsconfig } : {}],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/tests/e2e/**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 60_000,
  maxWorkers: 1,
};
