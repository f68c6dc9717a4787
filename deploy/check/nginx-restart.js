#!/usr/bin/env node
/**
 * Scripted check of deploy/nginx.conf as shipped (run by .ci/run after `npm run build`):
 * Debian's nginx with its own prefix in a temp dir on loopback ports, two nodes
 * (`node dist/index.js`) behind it, CLIENTS socket.io clients through it; then both nodes are
 * restarted in the same moment (the worst case of a restart) and every client must be connected
 * again within RECONNECT_DEADLINE_MS. Exits 0 when all came back, 1 otherwise, and is bounded by
 * OVERALL_DEADLINE_MS.
 *
 * The old upstream settings (max_fails=3 fail_timeout=10s) left most clients out for tens of seconds.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, answers, connectClients, freePort, logger, run, runCheck, startNginx, until } = require('./support');

const CLIENTS = 20;
const RECONNECT_DEADLINE_MS = 8000;
const START_DEADLINE_MS = 15000;
const OVERALL_DEADLINE_MS = 100000;
const log = logger('nginx-restart');

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

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nginx-check-'));
  const [nginxPort, ...nodePorts] = await Promise.all([freePort(), freePort(), freePort()]);
  const nginx = await startNginx(dir, nginxPort, nodePorts);
  const url = `http://127.0.0.1:${nginxPort}`;
  let sockets = [];
  try {
    let nodes = await startNodes(nodePorts);
    await until(() => answers(`${url}/ready`), START_DEADLINE_MS, 'nginx proxying');
    sockets = connectClients(url, CLIENTS);
    await until(() => sockets.every((s) => s.sessions === 1), START_DEADLINE_MS, `${CLIENTS} clients connected`);
    log(`${CLIENTS} clients connected through nginx on ${url}; restarting both nodes at once`);

    await stopNodes(nodes);
    nodes = await startNodes(nodePorts);
    const restartedAt = Date.now();
    try {
      await until(() => sockets.every((s) => s.connected && s.sessions >= 2), RECONNECT_DEADLINE_MS, 'clients back');
    } catch (error) {
      const back = sockets.filter((s) => s.connected && s.sessions >= 2).length;
      throw new Error(`${error.message}: ${back} of ${CLIENTS} clients came back\n${nginx.errorLog()}`, { cause: error });
    }
    log(`all ${CLIENTS} clients came back ${Date.now() - restartedAt} ms after the nodes were ready`);
    await stopNodes(nodes);
  } finally {
    for (const socket of sockets) socket.disconnect();
    await nginx.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runCheck('nginx-restart', OVERALL_DEADLINE_MS, main);
