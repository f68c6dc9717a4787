#!/usr/bin/env node
/**
 * Scripted check of deploy/nginx.conf as shipped (run by .ci/run after `npm run build`):
 * Debian's nginx with its own prefix in a temp dir on loopback ports, two nodes
 * (`node dist/index.js`) behind it, CLIENTS socket.io clients through it; then both nodes are
 * restarted in the same moment (what `pm2 reload` of the cluster profile did) and every client must
 * be connected again within RECONNECT_DEADLINE_MS. Exits 0 when all came back, 1 otherwise, and is
 * bounded by OVERALL_DEADLINE_MS.
 *
 * The old upstream settings (max_fails=3 fail_timeout=10s) left most clients out for tens of seconds.
 */
/* global AbortSignal */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { io } = require('socket.io-client');

const ROOT = path.resolve(__dirname, '../..');
const CLIENTS = 20;
const RECONNECT_DEADLINE_MS = 8000;
const START_DEADLINE_MS = 15000;
const OVERALL_DEADLINE_MS = 100000;
const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((candidate) => fs.existsSync(candidate)) ?? 'nginx';

const children = new Set();

function log(message) {
  console.log(`[nginx-restart] ${message}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 100 ms until it is true, or throws after `ms`. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

function run(command, args, options) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  children.add(child);
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.exited.then(() => children.delete(child));
  child.output = () => output;
  return child;
}

/** The shipped file with only its ports changed; refuses to run if the file no longer has them. */
function siteConfig(nginxPort, nodePorts) {
  let text = fs.readFileSync(path.join(ROOT, 'deploy/nginx.conf'), 'utf8');
  const replace = (from, to) => {
    if (!text.includes(from)) throw new Error(`deploy/nginx.conf no longer contains "${from}"`);
    text = text.split(from).join(to);
  };
  replace('listen 80;', `listen 127.0.0.1:${nginxPort};`);
  replace('127.0.0.1:3001', `127.0.0.1:${nodePorts[0]}`);
  replace('127.0.0.1:3002', `127.0.0.1:${nodePorts[1]}`);
  return text;
}

function writeNginxPrefix(dir, nginxPort, nodePorts) {
  fs.writeFileSync(path.join(dir, 'site.conf'), siteConfig(nginxPort, nodePorts));
  const temp = (name) => `${name}_temp_path ${path.join(dir, name)};`;
  fs.writeFileSync(
    path.join(dir, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${path.join(dir, 'nginx.pid')};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${path.join(dir, 'access.log')};`,
      `  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}`,
      `  include ${path.join(dir, 'site.conf')};`,
      '}',
    ].join('\n'),
  );
  const test = spawnSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t refused the config:\n${test.stderr}`);
}

function startNode(port) {
  return run(process.execPath, [path.join(ROOT, 'dist/index.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      TRUST_PROXY: 'loopback',
      SHUTDOWN_TIMEOUT_MS: '5000',
      // Every client of this check comes from 127.0.0.1.
      MAX_CONNECTIONS_PER_IP: '10000',
      CONNECTION_RATE_LIMIT_POINTS: '10000',
      HTTP_RATE_LIMIT_POINTS: '10000',
    },
  });
}

async function startNodes(ports) {
  const nodes = ports.map(startNode);
  await Promise.all(
    ports.map((port, i) =>
      until(
        async () => {
          if (nodes[i].exitCode !== null) throw new Error(`node on ${port} exited:\n${nodes[i].output()}`);
          return answers(`http://127.0.0.1:${port}/ready`);
        },
        START_DEADLINE_MS,
        `node on ${port} ready`,
      ),
    ),
  );
  return nodes;
}

async function stopNodes(nodes) {
  for (const node of nodes) node.kill('SIGTERM');
  const codes = await Promise.all(nodes.map((node) => node.exited));
  if (codes.some((code) => code !== 0)) throw new Error(`a node did not exit 0 on SIGTERM: ${codes.join(', ')}`);
}

/** Half the clients websocket only, half polling first (they upgrade), as browsers behave. */
function connectClients(url) {
  return Array.from({ length: CLIENTS }, (_, i) => {
    const socket = io(url, {
      transports: i % 2 === 0 ? ['websocket'] : ['polling', 'websocket'],
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      timeout: 3000,
    });
    socket.sessions = 0;
    socket.on('session', () => (socket.sessions += 1));
    return socket;
  });
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-check-'));
  const [nginxPort, ...nodePorts] = await Promise.all([freePort(), freePort(), freePort()]);
  writeNginxPrefix(dir, nginxPort, nodePorts);
  const nginx = run(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
  const url = `http://127.0.0.1:${nginxPort}`;
  let sockets = [];
  try {
    let nodes = await startNodes(nodePorts);
    await until(() => answers(`${url}/ready`), START_DEADLINE_MS, 'nginx proxying');
    sockets = connectClients(url);
    await until(() => sockets.every((s) => s.sessions === 1), START_DEADLINE_MS, `${CLIENTS} clients connected`);
    log(`${CLIENTS} clients connected through nginx on ${url}; restarting both nodes at once`);

    await stopNodes(nodes);
    nodes = await startNodes(nodePorts);
    const restartedAt = Date.now();
    try {
      await until(() => sockets.every((s) => s.connected && s.sessions >= 2), RECONNECT_DEADLINE_MS, 'clients back');
    } catch (error) {
      const back = sockets.filter((s) => s.connected && s.sessions >= 2).length;
      throw new Error(
        `${error.message}: ${back} of ${CLIENTS} clients came back\n${fs.readFileSync(path.join(dir, 'error.log'), 'utf8').slice(-2000)}`,
        { cause: error },
      );
    }
    log(`all ${CLIENTS} clients came back ${Date.now() - restartedAt} ms after the nodes were ready`);
    await stopNodes(nodes);
  } finally {
    for (const socket of sockets) socket.disconnect();
    nginx.kill('SIGQUIT');
    await nginx.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const overall = setTimeout(() => {
  console.error(`[nginx-restart] FAILED: over the ${OVERALL_DEADLINE_MS} ms limit`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(1);
}, OVERALL_DEADLINE_MS);
overall.unref();

main().then(
  () => {
    log('OK');
    process.exit(0);
  },
  (error) => {
    console.error(`[nginx-restart] FAILED: ${error.stack ?? error}`);
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  },
);
