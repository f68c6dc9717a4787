/** Unordered pairs of ids with an expiry, swept lazily so memory follows live pairs only. */
export class ExpiringPairs {
  private readonly expiries = new Map<string, number>();
  private nextSweepAt = 0;

  constructor(private readonly sweepEveryMs = 60_000) {}

  add(a: string, b: string, expiresAt: number, now: number): void {
    this.sweep(now);
    const key = pairKey(a, b);
    this.expiries.set(key, Math.max(expiresAt, this.expiries.get(key) ?? 0));
  }

  has(a: string, b: string, now: number): boolean {
    const expiresAt = this.expiries.get(pairKey(a, b));
    return expiresAt !== undefined && expiresAt > now;
  }

  get size(): number {
    return this.expiries.size;
  }

  private sweep(now: number): void {
    if (now < this.nextSweepAt) return;
    this.nextSweepAt = now + this.sweepEveryMs;
    for (const [key, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(key);
  }
}

export function pairKey(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
