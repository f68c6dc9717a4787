import type { CountsByType, Match, WaitingUser } from './types';

/**
 * The waiting queues, one FIFO per session type and pool (`WaitingUser.pool`, see poolKey). Every
 * method is atomic: two concurrent calls never hand the same waiting user to two partners, and
 * users of different pools are never paired.
 *
 * Matching rule: a user with interests (or a language) first waits for a partner sharing an
 * interest (same language when both gave one); a user with neither, or one whose preference window
 * has ended (`openToAnyone`), pairs with the longest-waiting open user of the same type. Blocked
 * pairs never meet; recent partners meet again only when nobody else is available.
 *
 * One search examines at most `scanLimit` waiting users (shared by the interest buckets, in the
 * user's interest order, and then the open queue, oldest first), so a crowd of incompatible
 * waiters cannot make every join slow; the common case, a compatible user near the front, is
 * unchanged FIFO. With `localPreferenceMs` a compatible user on the searcher's node is preferred
 * over a remote one who has waited at most that much longer: the searcher is paired just as soon,
 * and the remote user waits at most that much longer than strict FIFO would make them; interests,
 * language, pools, blocks and cooldowns decide first.
 */
export interface MatchQueue {
  /** Takes the best compatible waiting partner, or enqueues `user` when there is none. */
  matchOrEnqueue(user: WaitingUser, now: number): Promise<Match | null>;
  /** Ends a waiting user's preference window and tries to pair them with anyone open. */
  openToAnyone(userId: string, now: number): Promise<Match | null>;
  /** Removes a waiting user in O(1); false when they were not waiting. */
  remove(userId: string): Promise<boolean>;
  isWaiting(userId: string): Promise<boolean>;
  waitingCounts(): Promise<CountsByType>;
  /** How many of this process's searches stopped at the scan limit with candidates left unexamined. */
  boundedScans(): number;
  /** Removes every entry of a node (used when it shuts down or dies); returns how many. */
  removeNode(nodeId: string): Promise<number>;
}

export const DEFAULT_SCAN_LIMIT = 50;

export interface MatchQueueOptions {
  /** How long a user with interests waits for a shared one before taking anyone. */
  interestTimeoutMs: number;
  /** Waiting users one search examines at most. */
  scanLimit?: number;
  /**
   * Same-node preference: a compatible user on the searcher's node counts as waiting this much
   * longer, so they win over a remote user who arrived at most this long before them (0 = off).
   */
  localPreferenceMs?: number;
}

/** The candidates one search may still examine; `cut` once it wanted to examine one more. */
export class ScanBudget {
  cut = false;

  constructor(private left: number) {}

  /** Spends one examination; false, and cut, when none is left. */
  spend(): boolean {
    if (this.left <= 0) {
      this.cut = true;
      return false;
    }
    this.left -= 1;
    return true;
  }
}
