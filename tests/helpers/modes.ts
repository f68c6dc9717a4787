import { closeAllClients } from './clients';
import { startRedis, type RedisServer } from './redis';
import { startTestServer, type TestServer } from './server';

export type Mode = 'memory' | 'redis';

const CLUSTER_ENV = { NODE_HEARTBEAT_MS: '200', NODE_DEAD_AFTER_MS: '5000', IP_HASH_SALT: 'test-salt' };

/**
 * Servers for a suite run in memory and Redis mode alike, stopped after each test. Memory mode is
 * one server (every url points at it); Redis mode is `count` nodes on their own fresh redis-server.
 */
export function useModes() {
  const nodes: TestServer[] = [];
  let redis: RedisServer | undefined;
  afterEach(async () => {
    await closeAllClients();
    await Promise.all(nodes.splice(0).map((node) => node.close()));
    await redis?.stop();
    redis = undefined;
  });
  return {
    nodes,
    async start(mode: Mode, env: Record<string, string> = {}, count = 2): Promise<string[]> {
      if (mode === 'memory') {
        nodes.push(await startTestServer(env));
        return Array.from({ length: count }, () => nodes[0]!.url);
      }
      redis = await startRedis();
      for (let i = 0; i < count; i += 1) nodes.push(await startTestServer({ REDIS_URL: redis.url, ...CLUSTER_ENV, ...env }));
      return nodes.map((node) => node.url);
    },
  };
}
