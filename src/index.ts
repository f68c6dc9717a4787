import 'dotenv/config';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, configWarnings, loadConfig } from './config';
import { createServer, type AppServer } from './server';
import { installShutdown } from './shutdown';

const READINESS_POLL_MS = 100;

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * Tells PM2 (wait_ready) that this process may take traffic: it listens and, in a cluster, reaches
 * Redis. Until then a rolling reload keeps the previous instance. Without a process manager's IPC
 * channel (systemd, Docker, a shell) there is nobody to tell.
 */
async function signalReady(server: AppServer): Promise<void> {
  if (!process.send) return;
  while (!server.stats.readiness().ready) await delay(READINESS_POLL_MS);
  process.send('ready');
  server.logger.info('ready signalled to the process manager');
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const server = createServer(config);
  for (const warning of configWarnings(config)) server.logger.warn(warning);
  const port = await server.listen();
  server.logger.info('server listening', { host: config.host, port, env: config.nodeEnv, redis: Boolean(config.redis.url) });
  installShutdown(server, config.shutdownTimeoutMs);
  await signalReady(server);
}

main().catch((error: unknown) => {
  console.error('server failed to start:', error);
  process.exit(1);
});
