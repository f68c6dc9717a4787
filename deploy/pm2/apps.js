/**
 * The PM2 apps of ecosystem.config.js, built from the operator's environment.
 *
 * The operator wins: a variable set in the shell or in `.env` is never overridden; the file only
 * fills in what is unset (PM2 merges an app's `env` over the shell's, and dotenv never overrides
 * what the process already has, so a value here would silently beat both).
 */
const fs = require('node:fs');
const path = require('node:path');
const dotenv = require('dotenv');

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10000;
const DEFAULT_CLUSTER_PORTS = '3001,3002';
/** PM2 kills a process this long after the shutdown deadline: our own deadline always goes first. */
const KILL_MARGIN_MS = 5000;
/** How long PM2 waits for process.send('ready') (listening and, in a cluster, Redis reachable). */
const LISTEN_TIMEOUT_MS = 20000;

function readEnvFile(envFile) {
  return fs.existsSync(envFile) ? dotenv.parse(fs.readFileSync(envFile)) : {};
}

/** The defaults the operator has not set, as strings (what a process environment holds). */
function unsetOnly(defaults, operator) {
  const filled = {};
  for (const [name, value] of Object.entries(defaults)) {
    const set = operator[name] !== undefined && operator[name] !== '';
    if (!set) filled[name] = String(value);
  }
  return filled;
}

/**
 * @param {Record<string, string | undefined>} shellEnv the environment `pm2 start` runs in
 * @param {string} rootDir the checkout: the processes run there, and its `.env` is the one dotenv reads
 */
function pm2Apps(shellEnv, rootDir) {
  const operator = { ...readEnvFile(path.join(rootDir, '.env')), ...shellEnv };
  const shutdownTimeoutMs = Number(operator.SHUTDOWN_TIMEOUT_MS) || DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const common = {
    cwd: rootDir,
    script: 'dist/index.js',
    interpreter: 'node',
    // PM2's cluster mode with exactly one instance, for its reload: the new process starts and
    // signals ready while the old one still holds the port, then the old one drains. More
    // instances per app would split one node's in-memory state and polling sessions: scale out
    // with more apps (ports) on Redis instead.
    exec_mode: 'cluster',
    instances: 1,
    wait_ready: true,
    listen_timeout: LISTEN_TIMEOUT_MS,
    kill_signal: 'SIGTERM',
    kill_timeout: shutdownTimeoutMs + KILL_MARGIN_MS,
    max_memory_restart: '1G',
    // Our log lines are JSON in production; a PM2 timestamp prefix would break them.
    time: false,
  };

  if (operator.CHAT_PROFILE !== 'cluster') {
    return [
      {
        ...common,
        name: 'random-chat-backend',
        env: unsetOnly({ NODE_ENV: 'production', PORT: 3000 }, operator),
      },
    ];
  }
  // Cluster nodes listen on loopback behind Nginx: a node reachable directly would let anyone
  // forge X-Forwarded-For past the per-IP limits. IP_HASH_SALT has no default on purpose:
  // production refuses a cluster without one.
  const ports = (operator.CHAT_CLUSTER_PORTS || DEFAULT_CLUSTER_PORTS).split(',').map((port) => port.trim());
  return ports.map((port, index) => ({
    ...common,
    name: `random-chat-backend-${index + 1}`,
    env: {
      ...unsetOnly(
        { NODE_ENV: 'production', HOST: '127.0.0.1', TRUST_PROXY: 'loopback', REDIS_URL: 'redis://127.0.0.1:6379' },
        operator,
      ),
      // Each node needs its own port, so the profile sets it (CHAT_CLUSTER_PORTS chooses them).
      PORT: port,
    },
  }));
}

module.exports = { pm2Apps };
