import { loadConfig, type Config } from '../../src/config';
import { createServer, type AppServer } from '../../src/server';
import { closeAllClients } from './clients';

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
  ADDRESS_JOIN_RATE_LIMIT_POINTS: '100000',
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

export type TestServerHandle = Pick<TestServer, 'server' | 'url'> & {
  /** Closes the current server and starts one with `env` in its place, for the rest of the test. */
  restart(env: Record<string, string>): Promise<void>;
};

/**
 * A fresh server (with `env`) for every test of the calling file: registers a beforeEach that starts
 * it and an afterEach that closes every client and then the server. The handle always reads the
 * current test's server, and closing is left to the afterEach.
 */
export function useTestServer(env: Record<string, string> = {}): TestServerHandle {
  let current: TestServer | undefined;
  beforeEach(async () => {
    current = await startTestServer(env);
  });
  afterEach(async () => {
    await closeAllClients();
    await current?.close();
    current = undefined;
  });
  const server = (): TestServer => {
    if (!current) throw new Error('useTestServer: no server outside a test');
    return current;
  };
  return {
    get server() {
      return server().server;
    },
    get url() {
      return server().url;
    },
    async restart(other) {
      await server().close();
      current = await startTestServer(other);
    },
  };
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

/**
 * Starts `server`'s shutdown and holds it at its first step (reading the node's rooms), so its
 * sockets and HTTP stay up while it drains; runs `during`, then lets the shutdown finish.
 */
export async function whileDraining(server: AppServer, during: () => Promise<void>): Promise<void> {
  const rooms = server.services.rooms;
  const roomsOfNode = rooms.roomsOfNode.bind(rooms);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  rooms.roomsOfNode = async (nodeId) => {
    await gate;
    return roomsOfNode(nodeId);
  };
  const closing = server.close();
  try {
    await during();
  } finally {
    release();
    await closing;
  }
}

export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/**
 * The network to `client` is gone but `server` has not noticed yet: what it writes to the client's
 * connection from now on is lost, as it would be to a phone that went out of coverage.
 */
export function loseWritesTo(server: Pick<TestServer, 'server'>, clientId: string): void {
  const serverSide = server.server.io.of('/').sockets.get(clientId);
  if (!serverSide) throw new Error(`loseWritesTo: no socket ${clientId} on this server`);
  Object.assign(serverSide.conn.transport, { send: () => {} });
}
