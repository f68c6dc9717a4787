import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { MemoryExpiringMarks } from './memory/memory-expiring-marks';
import { MemoryMatchQueue } from './memory/memory-match-queue';
import { MemoryModerationStore } from './memory/memory-moderation';
import { MemoryPairHistory } from './memory/memory-pair-history';
import { MemoryPresence } from './memory/memory-presence';
import { MemoryRoomManager } from './memory/memory-room-manager';
import { closeRedisClient, createRedisClient } from './redis/client';
import { DEFAULT_PREFIX } from './redis/keys';
import { RedisExpiringMarks } from './redis/redis-expiring-marks';
import { RedisMatchQueue } from './redis/redis-match-queue';
import { RedisModerationStore } from './redis/redis-moderation';
import { RedisPairHistory } from './redis/redis-pair-history';
import { RedisPresence } from './redis/redis-presence';
import { RedisRoomManager } from './redis/redis-room-manager';
import type { ModerationLimits } from './moderation';
import type { Services } from './services';

/**
 * Memory services unless Redis is configured (`config.redis.url`) or a client is handed in. All Redis
 * services share one ioredis client (see DOMAIN_REDIS_OPTIONS for why calls fail fast when Redis is
 * down); `close()` quits it, whether it was created here or passed in.
 */
export function createServices(config: Config, nodeId: string, redis?: Redis): Services {
  if (!redis && !config.redis.url) return createMemoryServices(config, nodeId);
  return createRedisServices(
    config,
    nodeId,
    redis ?? createRedisClient(config.redis.url!, { commandTimeout: config.redis.commandTimeoutMs }),
  );
}

function moderationLimits({ moderation }: Config): ModerationLimits {
  return {
    voteWindowMs: moderation.banWindowMs,
    reportRetentionMs: moderation.reportRetentionMs,
    auditLength: moderation.auditLength,
  };
}

export function createMemoryServices(config: Config, nodeId: string): Services {
  const pairs = new MemoryPairHistory({
    rematchCooldownMs: config.matching.rematchCooldownMs,
    blockTtlMs: config.moderation.banDurationMs,
  });
  return {
    queue: new MemoryMatchQueue(pairs, config.matching),
    rooms: new MemoryRoomManager(config.messageHistoryLimit),
    pairs,
    moderation: new MemoryModerationStore(moderationLimits(config)),
    presence: new MemoryPresence(nodeId),
    marks: new MemoryExpiringMarks(),
    close: async () => {},
  };
}

export function createRedisServices(config: Config, nodeId: string, redis: Redis, prefix = DEFAULT_PREFIX): Services {
  const timings = { rematchCooldownMs: config.matching.rematchCooldownMs, blockTtlMs: config.moderation.banDurationMs };
  return {
    queue: new RedisMatchQueue(redis, { ...config.matching, prefix }),
    rooms: new RedisRoomManager(redis, config.messageHistoryLimit, prefix),
    pairs: new RedisPairHistory(redis, timings, prefix),
    moderation: new RedisModerationStore(redis, moderationLimits(config), prefix),
    presence: new RedisPresence(redis, { nodeId, deadAfterMs: config.redis.deadAfterMs, prefix }),
    marks: new RedisExpiringMarks(redis, prefix),
    close: () => closeRedisClient(redis),
  };
}
