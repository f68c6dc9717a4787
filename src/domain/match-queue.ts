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
  /** Removes every entry of a node (used when it shuts down or dies); returns how many. */
  removeNode(nodeId: string): Promise<number>;
}
