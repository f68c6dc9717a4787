import type { Config } from '../config';
import { MemoryMatchQueue } from './memory/memory-match-queue';
import { MemoryModerationStore } from './memory/memory-moderation';
import { MemoryPairHistory } from './memory/memory-pair-history';
import { MemoryPresence } from './memory/memory-presence';
import { MemoryRoomManager } from './memory/memory-room-manager';
import type { Services } from './services';

export function createMemoryServices(config: Config, nodeId: string): Services {
  const pairs = new MemoryPairHistory({
    rematchCooldownMs: config.matching.rematchCooldownMs,
    blockTtlMs: config.moderation.banDurationMs,
  });
  return {
    queue: new MemoryMatchQueue(pairs, config.matching.interestTimeoutMs),
    rooms: new MemoryRoomManager(config.messageHistoryLimit),
    pairs,
    moderation: new MemoryModerationStore(config.moderation.banWindowMs),
    presence: new MemoryPresence(nodeId),
    close: async () => {},
  };
}
