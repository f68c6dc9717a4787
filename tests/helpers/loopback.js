'use strict';
/**
 * Loopback services shared by the TypeScript tests (through tests/helpers/redis.ts) and the plain-Node
 * benchmark (bench/): a free TCP port on 127.0.0.1, and a private, non-persistent redis-server on one.
 * Plain CommonJS, typed by loopback.d.ts beside it, so ts-jest and `node bench/run.js` load the same
 * file as it is (tsconfig has no allowJs; jest transforms only .ts).
 */
const { spawn } = require('node:child_process');
const net = require('node:net');

const START_DEADLINE_MS = 5000;
const STOP_DEADLINE_MS = 3000;

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when the server answers +PONG. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

function spawnRedis(port, prefix) {
  const args = ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1', '--daemonize', 'no'];
  const [command, ...argv] = [...prefix, 'redis-server', ...args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(String(error))));
  return { child, output: () => output };
}

async function waitUntilReady(port, child, output) {
  const deadline = Date.now() + START_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited early on port ${port}:\n${output()}`);
    }
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer PING on port ${port} within ${START_DEADLINE_MS} ms:\n${output()}`);
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', () => resolve()));
  // a frozen server would not act on SIGTERM until thawed
  child.kill('SIGCONT');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_DEADLINE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts a private, non-persistent redis-server on a free port of 127.0.0.1.
 * @param {{ prefix?: string[] }} [options] prefix: a command that execs redis-server, e.g. ['taskset', '-c', '0']
 */
async function startRedis(options = {}) {
  const prefix = options.prefix || [];
  const port = await freePort();
  let current;

  async function start() {
    const { child, output } = spawnRedis(port, prefix);
    current = child;
    await waitUntilReady(port, child, output);
  }

  async function stop() {
    if (current) await stopChild(current);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.pid;
    },
    stop,
    async restart() {
      await stop();
      await start();
    },
    freeze: () => void current.kill('SIGSTOP'),
    thaw: () => void current.kill('SIGCONT'),
  };
}

module.exports = { freePort, startRedis };
