import type { ModerationStore } from '../moderation';

export class MemoryModerationStore implements ModerationStore {
  /** reported id → reporter id → time of their latest report */
  private readonly reports = new Map<string, Map<string, number>>();
  private readonly bans = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  async recordReport(reportedId: string, reporterId: string, now: number): Promise<number> {
    let reporters = this.reports.get(reportedId);
    if (!reporters) this.reports.set(reportedId, (reporters = new Map()));
    reporters.set(reporterId, now);
    for (const [id, at] of reporters) if (at <= now - this.windowMs) reporters.delete(id);
    return reporters.size;
  }

  async ban(userId: string, ipHash: string, until: number): Promise<void> {
    this.bans.set(`id:${userId}`, until);
    this.bans.set(`ip:${ipHash}`, until);
    this.reports.delete(userId);
  }

  async banRemaining(userId: string, ipHash: string, now: number): Promise<number> {
    const until = Math.max(this.bans.get(`id:${userId}`) ?? 0, this.bans.get(`ip:${ipHash}`) ?? 0);
    if (until > now) return until - now;
    this.bans.delete(`id:${userId}`);
    this.bans.delete(`ip:${ipHash}`);
    return 0;
  }
}
