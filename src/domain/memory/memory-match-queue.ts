import { DEFAULT_SCAN_LIMIT, ScanBudget, type MatchQueue, type MatchQueueOptions } from '../match-queue';
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
  private readonly interestTimeoutMs: number;
  private readonly scanLimit: number;
  private readonly localPreferenceMs: number;

  constructor(
    private readonly history: MemoryPairHistory,
    options: MatchQueueOptions,
  ) {
    this.interestTimeoutMs = options.interestTimeoutMs;
    this.scanLimit = options.scanLimit ?? DEFAULT_SCAN_LIMIT;
    this.localPreferenceMs = options.localPreferenceMs ?? 0;
  }

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

  /** The longest-waiting user who shares a preference key and may meet this one (by rank). */
  private findPreferred(entry: Entry, now: number, budget: ScanBudget): Entry | undefined {
    let best: Entry | undefined;
    for (const key of entry.keys) {
      const bucket = this.queueOf(entry).byKey.get(key);
      if (!bucket) continue;
      for (const candidate of bucket.values()) {
        if (candidate.user.userId === entry.user.userId) continue;
        if (!budget.spend()) return best;
        if (best && !this.mayOutrank(entry.user, candidate, best)) break;
        if (
          this.mayMeet(entry.user, candidate.user, now, false) &&
          languagesCompatible(entry.user, candidate.user) &&
          (!best || this.rank(entry.user, candidate) < this.rank(entry.user, best))
        ) {
          best = candidate;
          if (this.settled(entry.user, best)) break;
        }
      }
    }
    return best;
  }

  /** The longest-waiting open user (by rank); a recent partner only when nobody else is there. */
  private findOpen(entry: Entry, now: number, allowRecent: boolean, budget: ScanBudget): Entry | undefined {
    let found: Entry | undefined;
    let recentPartner: Entry | undefined;
    for (const candidate of this.queueOf(entry).open.values()) {
      if (candidate.user.userId === entry.user.userId) continue;
      if (!budget.spend()) break;
      if (found && !this.mayOutrank(entry.user, candidate, found)) break;
      if (this.mayMeet(entry.user, candidate.user, now, false)) {
        if (!found || this.rank(entry.user, candidate) < this.rank(entry.user, found)) {
          found = candidate;
          if (this.settled(entry.user, found)) break;
        }
        continue;
      }
      if (allowRecent && !recentPartner && this.mayMeet(entry.user, candidate.user, now, true)) recentPartner = candidate;
    }
    return found ?? recentPartner;
  }

  /** Waiting order with the same-node preference: lower goes first. */
  private rank(searcher: WaitingUser, candidate: Entry): number {
    return candidate.user.enqueuedAt - (candidate.user.nodeId === searcher.nodeId ? this.localPreferenceMs : 0);
  }

  /** Whether `candidate`, or anyone queued after it, could still outrank `best`. */
  private mayOutrank(searcher: WaitingUser, candidate: Entry, best: Entry): boolean {
    return candidate.user.enqueuedAt - this.localPreferenceMs < this.rank(searcher, best);
  }

  /** Nobody queued later can outrank `best`: it is local, or there is no preference. */
  private settled(searcher: WaitingUser, best: Entry): boolean {
    return this.localPreferenceMs === 0 || best.user.nodeId === searcher.nodeId;
  }

  private mayMeet(a: WaitingUser, b: WaitingUser, now: number, allowRecent: boolean): boolean {
    if (a.userId === b.userId || this.history.isBlockedNow(a, b, now)) return false;
    return allowRecent || !this.history.metRecentlyNow(a, b, now);
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
