import type { ExpiringMarks } from '../expiring-marks';

/** Expired marks are swept lazily, at most once per `sweepEveryMs`, so memory follows live marks. */
export class MemoryExpiringMarks implements ExpiringMarks {
  private readonly expiries = new Map<string, number>();
  private nextSweepAt = 0;

  constructor(private readonly sweepEveryMs = 60_000) {}

  async markOnce(key: string, until: number, now: number): Promise<boolean> {
    if (this.active(key, now)) return false;
    this.sweep(now);
    this.expiries.set(key, until);
    return true;
  }

  async mark(key: string, until: number, now: number): Promise<void> {
    this.sweep(now);
    this.expiries.set(key, Math.max(until, this.expiries.get(key) ?? 0));
  }

  async isMarked(key: string, now: number): Promise<boolean> {
    return this.active(key, now);
  }

  private active(key: string, now: number): boolean {
    return (this.expiries.get(key) ?? 0) > now;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepEveryMs;
    for (const [key, until] of this.expiries) if (until <= now) this.expiries.delete(key);
  }
}
