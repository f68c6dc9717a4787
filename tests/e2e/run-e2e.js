#!/usr/bin/env node
/*
 * Runs the browser end-to-end suite: build, then jest (tests/e2e/jest.e2e.config.js) with the server
 * and headless Chromium inside their own network namespace that has only `lo`, so WebRTC ICE can
 * only use loopback and the test never touches a real network.
 *
 *   npm run test:e2e [-- <extra jest args>]
 *
 * Needs root (for `unshare -n`), util-linux `unshare`, iproute2 `ip` and Debian's /usr/bin/chromium
 * (override with CHROMIUM_PATH). Refuses clearly instead of skipping when any is missing.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

function fail(message) {
  console.error(`\n[e2e] ${message}\n`);
  process.exit(2);
}

function has(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status === 0;
}

if (process.platform !== 'linux') fail('the e2e suite needs Linux network namespaces (unshare -n).');
if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
  fail('the e2e suite must run as root: it uses `unshare -n` to isolate the server and Chromium on loopback.');
}
if (!has('unshare', ['--version'])) fail('`unshare` (util-linux) is not available.');
if (!has('ip', ['-V'])) fail('`ip` (iproute2) is not available.');
if (!fs.existsSync(chromium)) {
  fail(`Chromium not found at ${chromium}. Install it with: apt-get update && apt-get install -y chromium`);
}
if (!has('unshare', ['-n', 'true'])) fail('`unshare -n` is not permitted here (no CAP_SYS_ADMIN?).');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log('[e2e] npm run build');
const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) fail(`build failed (exit ${build.status ?? build.signal}).`);

const jestBin = require.resolve('jest/bin/jest', { paths: [root] });
const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const jestCmd = [process.execPath, jestBin, '--config', 'tests/e2e/jest.e2e.config.js', '--runInBand', ...process.argv.slice(2)]
  .map(quote)
  .join(' ');

console.log('[e2e] jest in a loopback-only network namespace');
const run = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec ${jestCmd}`], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, E2E_NETNS: '1', CHROMIUM_PATH: chromium },
});
if (run.error) fail(`could not start unshare: ${run.error.message}`);
process.exit(run.status ?? 1);
