import 'dotenv/config';
import { ConfigError, loadConfig } from './config';
import { createServer } from './server';
import { installShutdown } from './shutdown';

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const server = createServer(config);
  const port = await server.listen();
  server.logger.info('server listening', { host: config.host, port, env: config.nodeEnv, redis: Boolean(config.redis.url) });
  installShutdown(server, config.shutdownTimeoutMs);
}

main().catch((error: unknown) => {
  console.error('server failed to start:', error);
  process.exit(1);
});
