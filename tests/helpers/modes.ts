import { closeAllClients, DEFAULT_WAIT_MS, eventually } from './clients';
import { startRedis, type RedisServer } from './redis';
import { startTestServer, type TestServer } from './server';

export type Mode = 'memory' | 'redis';

/** What every node of a test cluster gets unless the test says otherwise: fast heartbeats, one salt. */
export const CLUSTER_ENV = { NODE_HEARTBEAT_MS: '200', NODE_DEAD_AFTER_MS: '5000', IP_HASH_SALT: 'test-salt' };

/** `N` items of `T` as a tuple when `N` is a literal (so `const [one, two] = ...` needs no `!`). */
type Tuple<T, N extends number, R extends T[] = []> = number extends N ? T[] : R['length'] extends N ? R : Tuple<T, N, [...R, T]>;

/**
 * The servers of each test of the calling file, and the redis-servers under them: registers an
 * afterEach that closes every client, then every server, then every redis-server. Register a file's
 * own afterEach before calling this when it must run while the servers are still up.
 */
export function useModes() {
  const nodes: TestServer[] = [];
  const redises: RedisServer[] = [];
  const envOf = new Map<TestServer, Record<string, string>>();
  afterEach(async () => {
    await closeAllClients();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await Promise.all(redises.splice(0).map((redis) => redis.stop()));
    envOf.clear();
  });

  /** `count` nodes with `env` on one fresh redis-server of their own. */
  async function cluster<N extends number>(count: N, env: Record<string, string> = {}): Promise<Tuple<TestServer, N>> {
    const redis = await startRedis();
    redises.push(redis);
    const started: TestServer[] = [];
    for (let i = 0; i < count; i += 1) {
      const node = await server({ REDIS_URL: redis.url, ...CLUSTER_ENV, ...env });
      // Listening is not connected: until its Redis is, a node counts shared rate limits in its
      // in-memory insurance limiter, and a test's first joins would not reach the shared budget.
      await eventually(() => node.server.stats.readiness().ready, DEFAULT_WAIT_MS, { what: 'the node connecting to Redis' });
      started.push(node);
    }
    return started as Tuple<TestServer, N>;
  }

  /** One server with `env` alone (in memory, unless `env` names a REDIS_URL). */
  async function server(env: Record<string, string> = {}): Promise<TestServer> {
    const started = await startTestServer(env);
    nodes.push(started);
    envOf.set(started, env);
    return started;
  }

  return {
    /** Every server started in the current test, in start order. */
    nodes,
    cluster,
    server,
    /** The redis-server of the current test's (first) cluster. */
    get redis(): RedisServer {
      if (!redises[0]) throw new Error('useModes: no cluster started in this test');
      return redises[0];
    },
    /** Closes `node` and starts a fresh server with the same env on its port (a node's restart). */
    async restart(node: TestServer): Promise<TestServer> {
      await node.close();
      return server({ ...envOf.get(node), PORT: String(node.port) });
    },
    /** One server of `mode`: in memory, or the only node on a fresh redis-server. */
    async single(mode: Mode, env: Record<string, string> = {}): Promise<TestServer> {
      return mode === 'memory' ? server(env) : (await cluster(1, env))[0];
    },
    /**
     * A suite's servers in memory and Redis mode alike: memory mode is one server (every url points
     * at it); Redis mode is `count` nodes on their own fresh redis-server.
     */
    async start(mode: Mode, env: Record<string, string> = {}, count = 2): Promise<string[]> {
      if (mode === 'memory') {
        const only = await server(env);
        return Array.from({ length: count }, () => only.url);
      }
      return (await cluster(count, env)).map((node) => node.url);
    },
  };
}
