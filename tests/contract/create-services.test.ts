import { loadConfig } from '../../src/config';
import { createServices } from '../../src/domain/create-services';
import { MemoryMatchQueue } from '../../src/domain/memory/memory-match-queue';
import { RedisMatchQueue } from '../../src/domain/redis/redis-match-queue';
import { RedisPresence } from '../../src/domain/redis/redis-presence';
import type { WaitingUser } from '../../src/domain/types';
import { startRedis, type RedisServer } from '../helpers/redis';
import { eventually } from '../helpers/clients';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const waiting = (userId: string): WaitingUser => ({
  userId,
  socketId: `s-${userId}`,
  nodeId: 'node-1',
  ipHash: 'ip',
  type: 'chat',
  pool: '',
  interests: [],
  enqueuedAt: Date.now(),
});

describe('createServices', () => {
  test('stays in memory without REDIS_URL', async () => {
    const services = createServices(loadConfig({ NODE_ENV: 'test' }), 'node-1');
    expect(services.queue).toBeInstanceOf(MemoryMatchQueue);
    await services.close();
  });

  test('builds the Redis services on one client; calls fail fast while Redis is down and recover after', async () => {
    const services = createServices(loadConfig({ NODE_ENV: 'test', REDIS_URL: redis.url }), 'node-1');
    try {
      expect(services.queue).toBeInstanceOf(RedisMatchQueue);
      expect(services.presence).toBeInstanceOf(RedisPresence);
      expect(services.presence.nodeId).toBe('node-1');
      expect(await services.queue.matchOrEnqueue(waiting('a'), Date.now())).toBeNull();
      expect(await services.queue.isWaiting('a')).toBe(true);

      await redis.stop();
      const started = Date.now();
      await expect(services.queue.isWaiting('a')).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5000);

      await redis.restart();
      // A fresh, empty server: the node reconnects by itself and pairing works again.
      await eventually(
        () =>
          services.queue.isWaiting('a').then(
            (isWaiting) => !isWaiting,
            () => false,
          ),
        8000,
        { what: 'reconnecting to Redis' },
      );
      expect(await services.queue.matchOrEnqueue(waiting('b'), Date.now())).toBeNull();
      expect((await services.queue.matchOrEnqueue(waiting('c'), Date.now()))?.partner.userId).toBe('b');
    } finally {
      await services.close();
    }
  }, 20_000);
});
