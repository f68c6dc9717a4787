import { Redis } from 'ioredis';
import { MemoryExpiringMarks } from '../../src/domain/memory/memory-expiring-marks';
import { MemoryMatchQueue } from '../../src/domain/memory/memory-match-queue';
import { MemoryModerationStore } from '../../src/domain/memory/memory-moderation';
import { MemoryPairHistory } from '../../src/domain/memory/memory-pair-history';
import { MemoryPresence } from '../../src/domain/memory/memory-presence';
import { MemoryRoomManager } from '../../src/domain/memory/memory-room-manager';
import type { ExpiringMarks } from '../../src/domain/expiring-marks';
import type { MatchQueue, MatchQueueOptions } from '../../src/domain/match-queue';
import type { ModerationLimits, ModerationStore } from '../../src/domain/moderation';
import type { PairHistory, PairHistoryTimings } from '../../src/domain/pair-history';
import type { Presence } from '../../src/domain/presence';
import { RedisExpiringMarks } from '../../src/domain/redis/redis-expiring-marks';
import { RedisMatchQueue } from '../../src/domain/redis/redis-match-queue';
import { RedisModerationStore } from '../../src/domain/redis/redis-moderation';
import { RedisPairHistory } from '../../src/domain/redis/redis-pair-history';
import { RedisPresence } from '../../src/domain/redis/redis-presence';
import { RedisRoomManager } from '../../src/domain/redis/redis-room-manager';
import type { RoomManager } from '../../src/domain/room-manager';
import { startRedis, type RedisServer } from '../helpers/redis';

export interface QueueSetup {
  queue: MatchQueue;
  pairs: PairHistory;
}

/** Builds fresh, isolated instances of every interface for one implementation. */
export interface Backend {
  queue(timings: PairHistoryTimings & MatchQueueOptions): QueueSetup;
  rooms(historyLimit: number): RoomManager;
  pairs(timings: PairHistoryTimings): PairHistory;
  moderation(limits: ModerationLimits): ModerationStore;
  presence(nodeId: string, deadAfterMs: number, clock?: () => number): Presence;
  marks(): ExpiringMarks;
}

export interface RedisHarness {
  /** A client of the shared test server (quit in afterAll). */
  client(): Redis;
  /** A fresh client the caller must quit. */
  newClient(): Redis;
  /** A key prefix no other test uses. */
  freshPrefix(): string;
}

let prefixCounter = 0;

/**
 * Starts a private redis-server for the calling test file (beforeAll / afterAll) and returns the
 * backends to run the contract against: memory and Redis. Each Redis instance gets its own prefix.
 */
export function contractBackends(): { backends: [string, Backend][]; redis: RedisHarness } {
  let server: RedisServer | undefined;
  let client: Redis | undefined;

  beforeAll(async () => {
    server = await startRedis();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    await client?.quit().catch(() => client?.disconnect());
    await server?.stop();
  });

  const redis: RedisHarness = {
    client: () => client!,
    newClient: () => new Redis(server!.url, { maxRetriesPerRequest: 1 }),
    freshPrefix: () => `rc:test${process.pid}-${(prefixCounter += 1)}:`,
  };

  const memory: Backend = {
    queue({ interestTimeoutMs, scanLimit, localPreferenceMs, ...timings }) {
      const pairs = new MemoryPairHistory(timings);
      return { queue: new MemoryMatchQueue(pairs, { interestTimeoutMs, scanLimit, localPreferenceMs }), pairs };
    },
    rooms: (historyLimit) => new MemoryRoomManager(historyLimit),
    pairs: (timings) => new MemoryPairHistory(timings),
    moderation: (limits) => new MemoryModerationStore(limits),
    presence: (nodeId) => new MemoryPresence(nodeId),
    marks: () => new MemoryExpiringMarks(),
  };

  const onRedis: Backend = {
    queue({ interestTimeoutMs, scanLimit, localPreferenceMs, ...timings }) {
      const prefix = redis.freshPrefix();
      return {
        queue: new RedisMatchQueue(client!, { interestTimeoutMs, scanLimit, localPreferenceMs, prefix }),
        pairs: new RedisPairHistory(client!, timings, prefix),
      };
    },
    rooms: (historyLimit) => new RedisRoomManager(client!, historyLimit, redis.freshPrefix()),
    pairs: (timings) => new RedisPairHistory(client!, timings, redis.freshPrefix()),
    moderation: (limits) => new RedisModerationStore(client!, limits, redis.freshPrefix()),
    presence: (nodeId, deadAfterMs, clock) =>
      new RedisPresence(client!, { nodeId, deadAfterMs, clock, prefix: redis.freshPrefix() }),
    marks: () => new RedisExpiringMarks(client!, redis.freshPrefix()),
  };

  return {
    backends: [
      ['memory', memory],
      ['redis', onRedis],
    ],
    redis,
  };
}
