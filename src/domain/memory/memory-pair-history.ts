import { tracksAddresses, type PairHistory, type PairHistoryTimings, type PairMember } from '../pair-history';
import { ExpiringPairs } from './expiring-pairs';

/** Pairs of anonymous ids and pairs of IP hashes, each with its expiry (see PairHistory). */
class MemberPairs {
  private readonly ids = new ExpiringPairs();
  private readonly addresses = new ExpiringPairs();

  add(a: PairMember, b: PairMember, expiresAt: number, now: number): void {
    this.ids.add(a.userId, b.userId, expiresAt, now);
    if (tracksAddresses(a, b)) this.addresses.add(a.ipHash, b.ipHash, expiresAt, now);
  }

  has(a: PairMember, b: PairMember, now: number): boolean {
    return this.ids.has(a.userId, b.userId, now) || (tracksAddresses(a, b) && this.addresses.has(a.ipHash, b.ipHash, now));
  }
}

export class MemoryPairHistory implements PairHistory {
  private readonly recent = new MemberPairs();
  private readonly blocked = new MemberPairs();

  constructor(private readonly timings: PairHistoryTimings) {}

  async recordMeeting(a: PairMember, b: PairMember, now: number): Promise<void> {
    if (this.timings.rematchCooldownMs > 0) this.recent.add(a, b, now + this.timings.rematchCooldownMs, now);
  }

  async block(a: PairMember, b: PairMember, now: number): Promise<void> {
    this.blocked.add(a, b, now + this.timings.blockTtlMs, now);
  }

  async isBlocked(a: PairMember, b: PairMember, now: number): Promise<boolean> {
    return this.isBlockedNow(a, b, now);
  }

  async metRecently(a: PairMember, b: PairMember, now: number): Promise<boolean> {
    return this.metRecentlyNow(a, b, now);
  }

  /** Synchronous views for the in-memory matchmaker, which must decide atomically. */
  isBlockedNow(a: PairMember, b: PairMember, now: number): boolean {
    return this.blocked.has(a, b, now);
  }

  metRecentlyNow(a: PairMember, b: PairMember, now: number): boolean {
    return this.recent.has(a, b, now);
  }
}
