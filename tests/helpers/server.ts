import { loadConfig, type Config } from '../../src/config';
import { createServer, type AppServer } from '../../src/server';

export interface TestServer {
  server: AppServer;
  port: number;
  url: string;
  config: Readonly<Config>;
  close(): Promise<void>;
}

/** Limits loose enough that ordinary tests never trip them; limit tests pass their own. */
const TEST_ENV: Record<string, string> = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  RATE_LIMIT_POINTS: '100000',
  JOIN_RATE_LIMIT_POINTS: '100000',
  MESSAGE_RATE_LIMIT_POINTS: '100000',
  MAX_CONNECTIONS_PER_IP: '100000',
  CONNECTION_RATE_LIMIT_POINTS: '100000',
  HTTP_RATE_LIMIT_POINTS: '100000',
  RATE_LIMIT_DISCONNECT_AFTER: '100000',
  USER_COUNT_INTERVAL_MS: '50',
  RECONNECT_GRACE_MS: '0',
  REMATCH_COOLDOWN_MS: '0',
};

/** A real server on 127.0.0.1 and an ephemeral port. */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const server = createServer(config);
  shortenPollingCloseWait(server);
  const port = await server.listen();
  return { server, port, url: `http://127.0.0.1:${port}`, config, close: () => server.close() };
}

/**
 * A polling transport closed while no poll is pending waits 30 s (engine.io's fixed closeTimeout)
 * for a poll that a departed client never sends; in a test that timer outlives the test and keeps
 * the jest worker from exiting. Production keeps engine.io's default.
 */
function shortenPollingCloseWait(server: AppServer): void {
  server.io.engine.on('connection', (socket: { transport: { name: string; closeTimeout?: number } }) => {
    if (socket.transport.name === 'polling') socket.transport.closeTimeout = 200;
  });
}

export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}
