import { createAdapter } from '@socket.io/redis-streams-adapter';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config, RateBudget } from './config';
import { createServices } from './domain/create-services';
import { closeRedisClient, createRedisClient } from './domain/redis/client';
import type { Services } from './domain/services';
import type { Logger } from './logger';

/** What a node needs to join a cluster on Redis (REDIS_URL set). */
export interface ClusterResources {
  services: Services;
  adapter: AdapterFactory;
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

type AdapterFactory = ReturnType<typeof createAdapter>;
type ClusterAdapter = ReturnType<AdapterFactory>;

/**
 * While Redis is away, room emits and joins stay on this node instead of waiting in the client's
 * offline queue: the cluster adapter publishes before it delivers locally, so without this a pair
 * on one node would go silent until Redis returns. Those packets cannot be recovered on another node.
 */
function localWhileRedisDown(factory: AdapterFactory, available: () => boolean): AdapterFactory {
  // Socket.io calls the factory with `new`, so it must be a plain function returning the adapter.
  return function createLocalWhileDownAdapter(nsp) {
    const adapter: ClusterAdapter = factory(nsp);
    const localIfDown = <O extends { flags?: { local?: boolean } }>(opts: O): O =>
      available() ? opts : { ...opts, flags: { ...opts.flags, local: true } };
    const { broadcast, addSockets, delSockets } = adapter;
    adapter.broadcast = (packet, opts) => broadcast.call(adapter, packet, localIfDown(opts));
    adapter.addSockets = (opts, rooms) => addSockets.call(adapter, localIfDown(opts), rooms);
    adapter.delSockets = (opts, rooms) => delSockets.call(adapter, localIfDown(opts), rooms);
    return adapter;
  };
}

/**
 * The streams adapter duplicates its client for the blocking XREAD loop and for pub/sub, and only
 * disconnects the reader once a pending XREAD returns; with Redis gone at that moment the XREAD waits
 * in the offline queue and the duplicate reconnects forever. Tracking the duplicates lets close()
 * drop them itself.
 */
function trackDuplicates(redis: Redis): Redis[] {
  const duplicates: Redis[] = [];
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = (override) => {
    // The duplicates run the blocking XREAD loop and pub/sub: a command timeout would cut every
    // XREAD BLOCK short and pile them up on the connection.
    const copy = duplicate({ ...override, commandTimeout: undefined });
    duplicates.push(copy);
    return copy;
  };
  return duplicates;
}

/**
 * A Redis that stops answering (frozen, overloaded, a half-open connection) keeps its connection
 * `ready`. A PING every quarter of the command timeout tells: one unanswered for half of it means
 * Redis counts as down, before any other command can time out, until a PING is answered again.
 */
function watchResponsiveness(redis: Redis, commandTimeoutMs: number, logger: Logger): { stalled(): boolean; stop(): void } {
  let pingSentAt: number | undefined;
  let reported = false;
  const stalled = () => pingSentAt !== undefined && Date.now() - pingSentAt > commandTimeoutMs / 2;
  const timer = setInterval(
    () => {
      if (stalled() && !reported) {
        reported = true;
        logger.error('redis not responding', { waitedMs: Date.now() - pingSentAt! });
      }
      if (pingSentAt !== undefined || redis.status !== 'ready') return;
      pingSentAt = Date.now();
      redis
        .ping()
        .then(() => {
          if (reported) logger.info('redis responding again');
          reported = false;
        })
        .catch(() => undefined)
        .finally(() => (pingSentAt = undefined));
    },
    Math.max(10, commandTimeoutMs / 4),
  );
  timer.unref();
  return { stalled, stop: () => clearInterval(timer) };
}

export function createClusterResources(config: Readonly<Config>, nodeId: string, logger: Logger): ClusterResources {
  const url = config.redis.url!;
  const commandTimeout = config.redis.commandTimeoutMs;
  const domainRedis = createRedisClient(url, { commandTimeout });
  // The adapter's client keeps commands queued while Redis is away (maxRetriesPerRequest: null)
  // instead of failing them after one retry; the command timeout still bounds each publish, after
  // which the emit is delivered on this node anyway.
  const adapterRedis = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true, commandTimeout });
  const responsiveness = watchResponsiveness(domainRedis, commandTimeout, logger);
  const available = () => domainRedis.status === 'ready' && adapterRedis.status === 'ready' && !responsiveness.stalled();
  const adapterDuplicates = trackDuplicates(adapterRedis);
  watchConnection(domainRedis, 'domain', logger);
  watchConnection(adapterRedis, 'adapter', logger);

  return {
    services: createServices(config, nodeId, domainRedis),
    adapter: localWhileRedisDown(
      createAdapter(adapterRedis, {
        streamName: 'rc:socket.io',
        sessionKeyPrefix: 'rc:sio:session:',
        heartbeatInterval: config.redis.heartbeatMs,
        heartbeatTimeout: config.redis.deadAfterMs,
      }),
      available,
    ),
    sharedLimiter: (keyPrefix, budget) =>
      new RateLimiterRedis({
        storeClient: domainRedis,
        keyPrefix: `rc:rl:${keyPrefix}`,
        points: budget.points,
        duration: budget.durationSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: budget.points, duration: budget.durationSeconds }),
      }),
    problem: () => {
      if (domainRedis.status !== 'ready') return `redis ${domainRedis.status}`;
      return responsiveness.stalled() ? 'redis not responding' : undefined;
    },
    async close() {
      responsiveness.stop();
      for (const duplicate of adapterDuplicates) duplicate.disconnect();
      await closeRedisClient(adapterRedis);
    },
  };
}
