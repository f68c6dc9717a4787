#!/usr/bin/env node
/**
 * Scripted check of ecosystem.config.js under a real PM2 (installed from npm into a temp dir, with
 * its own PM2_HOME; run by .ci/run after `npm run build`):
 * - the single profile listens on the operator's PORT, and `pm2 reload` leaves no moment in which
 *   nothing answers;
 * - the cluster profile, two nodes on one Redis behind deploy/nginx.conf: through `pm2 reload` and
 *   through deploy/pm2/rolling-restart.sh, Nginx never fails a request, and every client (the
 *   README's minimal client: join on `session`, again after `partner_disconnected` unless draining)
 *   is back in a room afterwards.
 * Exits 0 when all held, 1 otherwise, bounded by OVERALL_DEADLINE_MS.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  ROOT,
  connectClients,
  freePort,
  freshGet,
  logger,
  runCheck,
  runChecked,
  startNginx,
  startRedis,
  until,
} = require('./support');

const PM2_VERSION = '7';
const CLIENTS = 20;
const DEADLINE_MS = 20000;
const POLL_EVERY_MS = 50;
const OVERALL_DEADLINE_MS = 240000;
const log = logger('pm2-reload');

async function installPm2(dir) {
  await runChecked('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', `pm2@${PM2_VERSION}`]);
  return path.join(dir, 'node_modules/.bin/pm2');
}

/** The environment of every PM2 call: its daemon lives in `home`, and `env` is added. */
function pm2Environment(bin, home, env) {
  return {
    PATH: `${path.dirname(bin)}:${process.env.PATH}`,
    HOME: home,
    PM2_HOME: home,
    LOG_LEVEL: 'warn',
    SHUTDOWN_TIMEOUT_MS: '5000',
    // Every client of this check comes from 127.0.0.1.
    MAX_CONNECTIONS_PER_IP: '10000',
    CONNECTION_RATE_LIMIT_POINTS: '10000',
    ADDRESS_JOIN_RATE_LIMIT_POINTS: '10000',
    HTTP_RATE_LIMIT_POINTS: '100000',
    ...env,
  };
}

/** Runs a command (pm2 itself by default) in the checkout with PM2's environment. */
function pm2At(bin, home) {
  return (args, env = {}, command = bin) => runChecked(command, args, { cwd: ROOT, env: pm2Environment(bin, home, env) });
}

/**
 * Polls every url every POLL_EVERY_MS, each time on a new connection (a kept-alive one may be closed
 * by a draining process as a request goes out, which clients and Nginx retry), while `during` runs;
 * returns what was not a 200 (a connection refused, a 502 from Nginx, a timeout).
 */
async function failuresWhile(urls, during) {
  const failures = [];
  let done = false;
  const poll = async (url) => {
    while (!done) {
      const outcome = await freshGet(url);
      if (outcome !== 200) failures.push(`${url}: ${outcome}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_EVERY_MS));
    }
  };
  const polls = urls.map(poll);
  try {
    await during();
  } finally {
    done = true;
    await Promise.all(polls);
  }
  return failures.length ? failures.join(', ') : undefined;
}

/** The README's minimal client, counting the rooms it gets into. */
function readmeClient(socket) {
  let draining = false;
  socket.roomId = undefined;
  const join = () => socket.emit('join', { userId: 'pm2-check', type: 'chat' });
  socket.on('session', () => {
    draining = false;
    if (!socket.roomId) join();
  });
  socket.on('partner_found', (data) => (socket.roomId = data.roomId));
  socket.on('server_shutdown', () => {
    draining = true;
    socket.roomId = undefined;
  });
  socket.on('partner_disconnected', () => {
    socket.roomId = undefined;
    if (!draining) join();
  });
}

/** Every client is in a room again, on at least its `sessions`-th connection (so it went through the restart). */
async function everyoneInARoom(sockets, sessions, what) {
  const inRoom = () => sockets.filter((s) => s.connected && s.roomId && s.sessions >= sessions).length;
  try {
    await until(() => inRoom() === sockets.length, DEADLINE_MS, what);
  } catch (error) {
    throw new Error(`${error.message}: ${inRoom()} of ${sockets.length} clients in a room`, { cause: error });
  }
}

async function checkSingleProfile(pm2) {
  const port = await freePort();
  const live = `http://127.0.0.1:${port}/live`;
  const env = { PORT: String(port) };
  await pm2(['start', 'ecosystem.config.js'], env);
  try {
    const sockets = connectClients(`http://127.0.0.1:${port}`, 4, readmeClient);
    await everyoneInARoom(sockets, 1, 'single profile: clients paired on the operator PORT');
    const failures = await failuresWhile([live], () => pm2(['reload', 'ecosystem.config.js'], env));
    if (failures) throw new Error(`single profile: failed requests during pm2 reload: ${failures}`);
    await everyoneInARoom(sockets, 2, 'single profile: clients back in rooms after pm2 reload');
    for (const socket of sockets) socket.disconnect();
    log(`single profile: listened on PORT=${port}; pm2 reload with no failed request; clients re-paired`);
  } finally {
    await pm2(['delete', 'all']);
  }
}

async function checkClusterProfile(pm2, dir) {
  const [nginxPort, ...nodePorts] = await Promise.all([1, 2, 3].map(freePort));
  const redis = await startRedis();
  const nginx = await startNginx(dir, nginxPort, nodePorts);
  const env = {
    CHAT_PROFILE: 'cluster',
    CHAT_CLUSTER_PORTS: nodePorts.join(','),
    REDIS_URL: redis.url,
    IP_HASH_SALT: 'pm2-check-salt',
  };
  const url = `http://127.0.0.1:${nginxPort}`;
  const live = [`${url}/live`, ...nodePorts.map((port) => `http://127.0.0.1:${port}/live`)];
  let sockets = [];
  try {
    await pm2(['start', 'ecosystem.config.js'], env);
    sockets = connectClients(url, CLIENTS, readmeClient);
    await everyoneInARoom(sockets, 1, 'cluster profile: clients paired through nginx');

    const reloadFailures = await failuresWhile(live, () => pm2(['reload', 'ecosystem.config.js'], env));
    if (reloadFailures)
      throw new Error(`cluster profile: failed requests during pm2 reload: ${reloadFailures}\n${nginx.errorLog()}`);
    await everyoneInARoom(sockets, 2, 'cluster profile: clients back in rooms after pm2 reload');
    log('cluster profile: pm2 reload with no failed request; every client back in a room');

    const rollingFailures = await failuresWhile(live, () => pm2(['deploy/pm2/rolling-restart.sh'], env, 'bash'));
    if (rollingFailures) throw new Error(`cluster profile: failed requests during the rolling restart: ${rollingFailures}`);
    await everyoneInARoom(sockets, 3, 'cluster profile: clients back in rooms after the rolling restart');
    log('cluster profile: rolling-restart.sh with no failed request; every client back in a room');
  } finally {
    for (const socket of sockets) socket.disconnect();
    await pm2(['delete', 'all']);
    await nginx.stop();
    await redis.stop();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pm2-check-'));
  const home = path.join(dir, 'pm2-home');
  fs.mkdirSync(home);
  const pm2 = pm2At(await installPm2(dir), home);
  try {
    await checkSingleProfile(pm2);
    await checkClusterProfile(pm2, dir);
  } finally {
    await pm2(['kill']);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

runCheck('pm2-reload', OVERALL_DEADLINE_MS, main);
