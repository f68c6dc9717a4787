import type { ExpiringMarks } from './expiring-marks';
import type { MatchQueue } from './match-queue';
import type { ModerationStore } from './moderation';
import type { PairHistory } from './pair-history';
import type { Presence } from './presence';
import type { RoomManager } from './room-manager';

/** The domain services the transport layer talks to; memory or Redis behind the same interfaces. */
export interface Services {
  queue: MatchQueue;
  rooms: RoomManager;
  pairs: PairHistory;
  moderation: ModerationStore;
  presence: Presence;
  /** Spent bot-check proofs and suspect addresses. */
  marks: ExpiringMarks;
  /** Stops timers and releases connections. */
  close(): Promise<void>;
}
