import { DEFAULT_SCAN_LIMIT, ScanBudget, type MatchQueue } from '../match-queue';
import { queueLane } from '../pools';
import { commonInterests, hasWaitedOut, languagesCompatible, preferenceKeys } from '../preferences';
import { zeroCounts, type CountsByType, type Match, type WaitingUser } from '../types';
import type { MemoryPairHistory } from './memory-pair-history';

interface Entry {
  user: WaitingUser;
  keys: string[];
}

/** The queue of one session type and pool (see queueLane). */
interface LaneQueue {
  /** Users who accept anyone, oldest first (Map keeps insertion order). */
  open: Map<string, Entry>;
  /** Users by preference key, oldest first within each key. */
  byKey: Map<string, Map<string, Entry>>;
}

/**
 * In-process queue. Every method runs to completion without awaiting, so it is atomic on the
 * event loop; cost per join is O(preference keys), plus the incompatible entries it skips, at most
 * `scanLimit` of them.
 */
export class MemoryMatchQueue implements MatchQueue {
  private readonly entries = new Map<string, Entry>();
  private readonly counts = zeroCounts();
  /** Created on first use; there are only as many lanes as session types times pools. */
  private readonly lanes = new Map<string, LaneQueue>();
  private cutScans = 0;

  constructor(
    private readonly history: MemoryPairHistory,
    private readonly interestTimeoutMs: number,
    private readonly scanLimit = DEFAULT_SCAN_LIMIT,
  ) {}

  async matchOrEnqueue(user: WaitingUser, now: number): Promise<Match | null> {
    this.take(user.userId);
    const entry: Entry = { user, keys: preferenceKeys(user) };
    const match = this.findPartner(entry, now);
    if (match) return match;
    this.insert(entry, now);
    return null;
  }

  async openToAnyone(userId: string, now: number): Promise<Match | null> {
    const entry = this.entries.get(userId);
    if (!entry) return null;
    const match = this.findPartner(entry, now, true);
    if (match) {
      this.take(userId);
      return match;
    }
    this.queueOf(entry).open.set(userId, entry);
    return null;
  }

  async remove(userId: string): Promise<boolean> {
    return this.take(userId) !== undefined;
  }

  async isWaiting(userId: string): Promise<boolean> {
    return this.entries.has(userId);
  }

  async waitingCounts(): Promise<CountsByType> {
    return { ...this.counts };
  }

  boundedScans(): number {
    return this.cutScans;
  }

  async removeNode(nodeId: string): Promise<number> {
    const ids = [...this.entries.values()].filter(({ user }) => user.nodeId === nodeId).map(({ user }) => user.userId);
    ids.forEach((id) => this.take(id));
    return ids.length;
  }

  private findPartner(entry: Entry, now: number, forceOpen = false): Match | null {
    const waitedOut = forceOpen || hasWaitedOut(entry.user, now, this.interestTimeoutMs);
    const budget = new ScanBudget(this.scanLimit);
    const partner =
      this.findPreferred(entry, now, budget) ??
      (waitedOut || entry.keys.length === 0 ? this.findOpen(entry, now, waitedOut, budget) : undefined);
    if (budget.cut) this.cutScans += 1;
    if (!partner) return null;
    this.take(partner.user.userId);
    return { partner: partner.user, commonInterests: commonInterests(entry.user, partner.user) };
  }

  /** The longest-waiting user who shares a preference key and may meet this one. */
  private findPreferred(entry: Entry, now: number, budget: ScanBudget): Entry | undefined {
    let best: Entry | undefined;
    for (const key of entry.keys) {
      const bucket = this.queueOf(entry).byKey.get(key);
      if (!bucket) continue;
      for (const candidate of bucket.values()) {
        if (candidate.user.userId === entry.user.userId) continue;
        if (!budget.spend()) return best;
        if (best && candidate.user.enqueuedAt >= best.user.enqueuedAt) break;
        if (this.mayMeet(entry.user, candidate.user, now, false) && languagesCompatible(entry.user, candidate.user)) {
          best = candidate;
          break;
        }
      }
    }
    return best;
  }

  /** The longest-waiting open user; a recent partner only when nobody else is there. */
  private findOpen(entry: Entry, now: number, allowRecent: boolean, budget: ScanBudget): Entry | undefined {
    let recentPartner: Entry | undefined;
    for (const candidate of this.queueOf(entry).open.values()) {
      if (candidate.user.userId === entry.user.userId) continue;
      if (!budget.spend()) break;
      if (this.mayMeet(entry.user, candidate.user, now, false)) return candidate;
      if (allowRecent && !recentPartner && this.mayMeet(entry.user, candidate.user, now, true)) recentPartner = candidate;
    }
    return recentPartner;
  }

  private mayMeet(a: WaitingUser, b: WaitingUser, now: number, allowRecent: boolean): boolean {
    if (a.userId === b.userId || this.history.isBlockedNow(a.userId, b.userId, now)) return false;
    return allowRecent || !this.history.metRecentlyNow(a.userId, b.userId, now);
  }

  private insert(entry: Entry, now: number): void {
    const queue = this.queueOf(entry);
    this.entries.set(entry.user.userId, entry);
    this.counts[entry.user.type] += 1;
    for (const key of entry.keys) {
      let bucket = queue.byKey.get(key);
      if (!bucket) queue.byKey.set(key, (bucket = new Map()));
      bucket.set(entry.user.userId, entry);
    }
    if (entry.keys.length === 0 || hasWaitedOut(entry.user, now, this.interestTimeoutMs)) {
      queue.open.set(entry.user.userId, entry);
    }
  }

  private take(userId: string): Entry | undefined {
    const entry = this.entries.get(userId);
    if (!entry) return undefined;
    const queue = this.queueOf(entry);
    this.entries.delete(userId);
    this.counts[entry.user.type] -= 1;
    queue.open.delete(userId);
    for (const key of entry.keys) {
      const bucket = queue.byKey.get(key);
      bucket?.delete(userId);
      if (bucket?.size === 0) queue.byKey.delete(key);
    }
    return entry;
  }

  private queueOf(entry: Entry): LaneQueue {
    const lane = queueLane(entry.user);
    let queue = this.lanes.get(lane);
    if (!queue) this.lanes.set(lane, (queue = { open: new Map(), byKey: new Map() }));
    return queue;
  }
}
