import type { AppServer } from './server';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * SIGTERM/SIGINT start one graceful shutdown bounded by `timeoutMs`; a second signal, or the
 * deadline, exits at once. An uncaught exception or unhandled rejection is logged and takes the same
 * graceful path (exit code 1), so clients are told and this node's queue entries are removed rather
 * than the process dying mid-step. The only place that touches process signals and exit.
 */
export function installShutdown(server: Pick<AppServer, 'close' | 'logger'>, timeoutMs: number): void {
  let started = false;
  let faulted = false;
  const begin = (cause: Record<string, unknown>) => {
    if (started) {
      server.logger.warn('second shutdown request, exiting now', cause);
      process.exit(1);
      return;
    }
    started = true;
    server.logger.info('shutting down', { ...cause, timeoutMs });
    const deadline = setTimeout(() => {
      server.logger.error('shutdown deadline passed, exiting', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    server
      .close()
      .then(() => flushLogsAndExit(server, faulted ? 1 : 0))
      .catch((error: unknown) => {
        server.logger.error('shutdown finished with failures', { error });
        flushLogsAndExit(server, 1);
      });
  };
  for (const signal of SIGNALS) process.on(signal, (received: NodeJS.Signals) => begin({ signal: received }));
  // A fault makes the exit code 1; during a shutdown already under way it must not cut it short, so
  // the close goes on within its deadline.
  const onFault = (cause: string) => {
    faulted = true;
    if (!started) begin({ cause });
  };
  process.on('uncaughtException', (error) => {
    server.logger.error('uncaught exception', { error });
    onFault('uncaughtException');
  });
  process.on('unhandledRejection', (reason) => {
    server.logger.error('unhandled promise rejection', { error: reason });
    onFault('unhandledRejection');
  });
}

function flushLogsAndExit(server: Pick<AppServer, 'logger'>, code: number): void {
  server.logger.on('finish', () => process.exit(code));
  server.logger.end();
  setTimeout(() => process.exit(code), 500).unref();
}
