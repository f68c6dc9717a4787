/**
 * PM2: `pm2 start ecosystem.config.js` runs the default single fork-mode process (in-memory state).
 * `pm2 start ecosystem.config.js --only random-chat-cluster-1,random-chat-cluster-2` runs one fork-mode node per port on a
 * shared Redis, for Nginx `ip_hash` to balance (see deploy/nginx.conf and README "Scaling").
 * The built entry runs with node directly so SIGTERM reaches it; kill_timeout exceeds the
 * server's SHUTDOWN_TIMEOUT_MS so PM2 never cuts a graceful drain short.
 */
const SHUTDOWN_TIMEOUT_MS = 10000;

const common = {
  script: 'dist/index.js',
  exec_mode: 'fork',
  kill_timeout: SHUTDOWN_TIMEOUT_MS + 5000,
  max_memory_restart: '1G',
  time: true,
};

module.exports = {
  apps: [
    {
      ...common,
      name: 'random-chat-backend',
      instances: 1,
      env: { NODE_ENV: 'production', PORT: 3000, SHUTDOWN_TIMEOUT_MS },
    },
    ...[3001, 3002].map((port, index) => ({
      ...common,
      name: `random-chat-cluster-${index + 1}`,
      namespace: 'random-chat-cluster',
      instances: 1,
      env: {
        NODE_ENV: 'production',
        PORT: port,
        SHUTDOWN_TIMEOUT_MS,
        REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        IP_HASH_SALT: process.env.IP_HASH_SALT,
      },
    })),
  ],
};
