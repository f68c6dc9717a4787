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
 * The adapter (un)subscribes room channels without waiting for the reply, so one cut short by this
 * node's shutdown, or sent after it, would be an unhandled rejection, which takes the node down.
 * While Redis is away they wait in the offline queue and go out on reconnect; the connection's own
 * failure is logged by watchConnection.
 */
function subscriptionsFireAndForget(subscriber: Redis): Redis {
  for (const command of ['ssubscribe', 'sunsubscribe'] as const) {
    const send = subscriber[command].bind(subscriber) as (...channels: string[]) => Promise<unknown>;
    Object.assign(subscriber, {
      [command]: (...channels: string[]) => {
        const reply = send(...channels);
        reply.catch(() => undefined);
        return reply;
      },
    });
  }
  return subscriber;
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
  // Sharded pub/sub (Redis 7): each room has its own channel, and a node subscribes only to the rooms
  // with a member on it. Queued while Redis is away (maxRetriesPerRequest: null) rather than failed;
  // the command timeout still bounds each publish (the adapter then delivers on this node anyway).
  // The subscriber has none: in subscriber mode nothing is waited for.
  const publisher = new Redis(url, { maxRetriesPerRequest: null, enableAutoPipelining: true, commandTimeout });
  const subscriber = subscriptionsFireAndForget(publisher.duplicate({ commandTimeout: undefined }));
  const responsiveness = watchResponsiveness(domainRedis, commandTimeout, logger);
  const available = () => domainRedis.status === 'ready' && publisher.status === 'ready' && !responsiveness.stalled();
  watchConnection(domainRedis, 'domain', logger);
  watchConnection(publisher, 'adapter', logger);
  watchConnection(subscriber, 'adapter-subscriber', logger);

  return {
    services: createServices(config, nodeId, domainRedis),
    adapter: localWhileRedisDown(
      createShardedAdapter(publisher, subscriber, { channelPrefix: `${DEFAULT_PREFIX}sio`, subscriptionMode: 'dynamic' }),
      available,
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
    problem: () => {
      if (domainRedis.status !== 'ready') return `redis ${domainRedis.status}`;
      return responsiveness.stalled() ? 'redis not responding' : undefined;
    },
    async close() {
      responsiveness.stop();
      await Promise.all([closeRedisClient(subscriber), closeRedisClient(publisher)]);
    },
  };
}
