/**
 * PM2 process file.
 *   pm2 start ecosystem.config.js
 *     the default: one fork-mode process, everything in memory.
 *   CHAT_PROFILE=cluster REDIS_URL=redis://127.0.0.1:6379 IP_HASH_SALT=... pm2 start ecosystem.config.js
 *     the cluster profile: one fork-mode node per port (3001, 3002) on a shared Redis, for Nginx
 *     `ip_hash` to balance (deploy/nginx.conf, README "Scaling"). Redis is required.
 * The built entry runs with node directly so SIGTERM reaches it (npm does not forward it), and
 * kill_timeout exceeds SHUTDOWN_TIMEOUT_MS so PM2 never cuts a graceful drain short.
 */
const SHUTDOWN_TIMEOUT_MS = 10000;
const CLUSTER_PORTS = [3001, 3002];

const common = {
  script: 'dist/index.js',
  exec_mode: 'fork',
  instances: 1,
  kill_timeout: SHUTDOWN_TIMEOUT_MS + 5000,
  max_memory_restart: '1G',
  time: true,
};

const single = {
  ...common,
  name: 'random-chat-backend',
  env: { NODE_ENV: 'production', PORT: 3000, SHUTDOWN_TIMEOUT_MS },
};

const clusterNodes = CLUSTER_PORTS.map((port, index) => ({
  ...common,
  name: `random-chat-backend-${index + 1}`,
  env: {
    NODE_ENV: 'production',
    PORT: port,
    SHUTDOWN_TIMEOUT_MS,
    TRUST_PROXY: 1,
    REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
    IP_HASH_SALT: process.env.IP_HASH_SALT,
  },
}));

module.exports = { apps: process.env.CHAT_PROFILE === 'cluster' ? clusterNodes : [single] };
