import { Redis, type RedisOptions } from 'ioredis';

/**
 * Client options for the domain stores. The offline queue stays on so that commands issued while
 * the first connection is being made (start-up) or during a brief blip simply wait, but no call can
 * hang: `maxRetriesPerRequest: 1` rejects queued commands after one failed reconnect attempt,
 * `commandTimeout` (REDIS_COMMAND_TIMEOUT_MS, passed by the callers) caps any single reply, and `connectTimeout` bounds a connect to a dead host.
 * The retry strategy never gives up, so the node reconnects by itself when Redis comes back.
 */
export const DOMAIN_REDIS_OPTIONS: RedisOptions = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: true,
  commandTimeout: 2000,
  connectTimeout: 2000,
  retryStrategy: (times) => Math.min(100 * times, 1000),
  // Commands issued in the same tick go out as one write: many sockets' events share round trips.
  enableAutoPipelining: true,
};

export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { ...DOMAIN_REDIS_OPTIONS, ...options });
}

/** QUIT when connected, otherwise drop the connection; never throws and never waits on a dead server. */
export async function closeRedisClient(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  redis.disconnect();
}
