/**
 * PM2 process file (build first: `npm run build`).
 *   pm2 start ecosystem.config.js
 *     the default: one process on PORT (3000), everything in memory.
 *   CHAT_PROFILE=cluster IP_HASH_SALT=... pm2 start ecosystem.config.js
 *     the cluster profile: one node per port of CHAT_CLUSTER_PORTS (3001,3002) on
 *     127.0.0.1, sharing REDIS_URL (redis://127.0.0.1:6379), behind deploy/nginx.conf.
 * Variables from the shell or .env always win; this file only fills in unset ones
 * (deploy/pm2/apps.js). Each process runs `node dist/index.js` directly, so SIGTERM reaches it, and
 * tells PM2 it is ready only once it listens (and reaches Redis): see README "Operations" for the
 * rolling restart (deploy/pm2/rolling-restart.sh).
 */
const { pm2Apps } = require('./deploy/pm2/apps');

module.exports = { apps: pm2Apps(process.env, __dirname) };
