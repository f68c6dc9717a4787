import type { PairHistory, PairHistoryTimings } from '../pair-history';
import { ExpiringPairs } from './expiring-pairs';

export class MemoryPairHistory implements PairHistory {
  private readonly recent = new ExpiringPairs();
  private readonly blocked = new ExpiringPairs();

  constructor(private readonly timings: PairHistoryTimings) {}

  async recordMeeting(a: string, b: string, now: number): Promise<void> {
    if (this.timings.rematchCooldownMs > 0) this.recent.add(a, b, now + this.timings.rematchCooldownMs, now);
  }

  async block(a: string, b: string, now: number): Promise<void> {
    this.blocked.add(a, b, now + this.timings.blockTtlMs, now);
  }

  async isBlocked(a: string, b: string, now: number): Promise<boolean> {
    return this.isBlockedNow(a, b, now);
  }

  async metRecently(a: string, b: string, now: number): Promise<boolean> {
    return this.metRecentlyNow(a, b, now);
  }

  /** Synchronous views for the in-memory matchmaker, which must decide atomically. */
  isBlockedNow(a: string, b: string, now: number): boolean {
    return this.blocked.has(a, b, now);
  }

  metRecentlyNow(a: string, b: string, now: number): boolean {
    return this.recent.has(a, b, now);
  }
}
