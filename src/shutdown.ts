import type { AppServer } from './server';

/**
 * SIGTERM/SIGINT start one graceful shutdown bounded by `timeoutMs`; a second signal, or the
 * deadline, exits at once. The only place that touches process signals and exit.
 */
export function installShutdown(server: Pick<AppServer, 'close' | 'logger'>, timeoutMs: number): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      server.logger.warn('second signal, exiting now', { signal });
      process.exit(1);
      return;
    }
    started = true;
    server.logger.info('shutting down', { signal, timeoutMs });
    const deadline = setTimeout(() => {
      server.logger.error('shutdown deadline passed, exiting', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    server
      .close()
      .then(() => flushLogsAndExit(server, 0))
      .catch((error: unknown) => {
        server.logger.error('shutdown failed', { error: String(error) });
        flushLogsAndExit(server, 1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function flushLogsAndExit(server: Pick<AppServer, 'logger'>, code: number): void {
  server.logger.on('finish', () => process.exit(code));
  server.logger.end();
  setTimeout(() => process.exit(code), 500).unref();
}
