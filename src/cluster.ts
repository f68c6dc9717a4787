import { createShardedAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, RateBudget } from './config';
import { createServices } from './domain/create-services';
import { closeRedisClient, createRedisClient } from './domain/redis/client';
import { DEFAULT_PREFIX } from './domain/redis/keys';
import type { Services } from './domain/services';
import type { Logger } from './logger';
import { RedisSessionStore } from './realtime/recovery/redis-session-store';
import type { SessionStore } from './realtime/recovery/session-store';

/** What a node needs to join a cluster on Redis (REDIS_URL set). */
export interface ClusterResources {
  services: Services;
  adapter: AdapterFactory;
  /** Recovery sessions of users inside their grace, so they may come back on any node. */
  sessionStore: SessionStore;
  /** Per-IP limiters shared by all nodes, with an in-memory insurance limiter while Redis is down. */
  sharedLimiter: (keyPrefix: string, budget: RateBudget) => RateLimiterAbstract;
  /** Why the node is degraded, or undefined when Redis is reachable. */
  problem(): string | undefined;
  close(): Promise<void>;
}

/** Logs a connection's state changes once each, not every retry. */
function watchConnection(redis: Redis, name: string, logger: Logger): void {
  let down = false;
  redis.on('ready', () => {
    if (down) logger.info('redis connection restored', { connection: name });
    down = false;
  });
  redis.on('error', (error: Error) => {
    if (!down) logger.error('redis connection failed', { connection: name, error: error.message });
    down = true;
  });
}

type AdapterFactory = ReturnType<typeof createShardedAdapter>;
type ClusterAdapter = ReturnType<AdapterFactory>;

/**
 * While Redis is away, room emits and joins stay on this node instead of waiting in the client's
 * offline queue: the cluster adapter publishes before it delivers locally, so without this a pair
 * on one node would go silent until Redis returns. Those packets cannot be recovered on another node.
 */
function localWhileRedisDown(factory: AdapterFactory, redis: Redis): AdapterFactory {
  // Socket.io calls the factory with `new`, so it must be a plain function returning the adapter.
  return function createLocalWhileDownAdapter(nsp) {
    const adapter: ClusterAdapter = factory(nsp);
    const localIfDown = <O extends { flags?: { local?: boolean } }>(opts: O): O =>
      redis.status === 'ready' ? opts : { ...opts, flags: { ...opts.flags, local: true } };
    const { broadcast, addSockets, delSockets } = adapter;
    adapter.broadcast = (packet, opts) => broadcast.call(adapter, packet, localIfDown(opts));
    adapter.addSockets = (opts, rooms) => addSockets.call(adapter, localIfDown(opts), rooms);
    adapter.delSockets = (opts, rooms) => delSockets.call(adapter, localIfDown(opts), rooms);
    return adapter;
  };
}

export function createClusterResources(config: Readonly<Config>, nodeId: string, logger: Logger): ClusterResources {
  const url = config.redis.url!;
  const domainRedis = createRedisClient(url);
  // Sharded pub/sub (Redis 7): each room has its own channel, and a node subscribes only to the rooms
  // with a member on it. Queued while Redis is away (maxRetriesPerRequest: null) rather than failed.
  const publisher = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true });
  const subscriber = publisher.duplicate();
  watchConnection(domainRedis, 'domain', logger);
  watchConnection(publisher, 'adapter', logger);
  watchConnection(subscriber, 'adapter-subscriber', logger);

  return {
    services: createServices(config, nodeId, domainRedis),
    adapter: localWhileRedisDown(
      createShardedAdapter(publisher, subscriber, { channelPrefix: `${DEFAULT_PREFIX}sio`, subscriptionMode: 'dynamic' }),
      publisher,
    ),
    sessionStore: new RedisSessionStore(domainRedis, DEFAULT_PREFIX),
    sharedLimiter: (keyPrefix, budget) =>
      new RateLimiterRedis({
        storeClient: domainRedis,
        keyPrefix: `rc:rl:${keyPrefix}`,
        points: budget.points,
        duration: budget.durationSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: budget.points, duration: budget.durationSeconds }),
      }),
    problem: () => (domainRedis.status === 'ready' ? undefined : `redis ${domainRedis.status}`),
    async close() {
      await Promise.all([closeRedisClient(subscriber), closeRedisClient(publisher)]);
    },
  };
}
