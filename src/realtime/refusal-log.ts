import type { Logger } from '../logger';

/** Distinct (address, reason) pairs tracked per interval; past it the rest share one line. */
const MAX_TRACKED = 1000;
const OTHERS = 'others';

/**
 * Logs a refused connection once per address and reason, then one summary line per interval with
 * how many more were refused: a flood costs a few lines, not one per attempt.
 */
export class RefusalLog {
  private readonly repeats = new Map<string, { ipHash: string; reason: string; count: number }>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  note(ipHash: string, reason: string, message: string): void {
    const key = `${ipHash}:${reason}`;
    const seen = this.repeats.get(key) ?? this.repeats.get(`${OTHERS}:${reason}`);
    if (seen) {
      seen.count += 1;
      return;
    }
    const full = this.repeats.size >= MAX_TRACKED;
    this.repeats.set(full ? `${OTHERS}:${reason}` : key, { ipHash: full ? OTHERS : ipHash, reason, count: full ? 1 : 0 });
    if (!full) this.logger.info(`connection refused: ${message}`, { ipHash, reason });
  }

  /** Sums up each active address; one that stays busy is not announced afresh every interval. */
  private flush(): void {
    for (const [key, entry] of this.repeats) {
      if (entry.count === 0) {
        this.repeats.delete(key);
        continue;
      }
      const { ipHash, reason, count } = entry;
      this.logger.info('connection refusals repeated', { ipHash, reason, count, intervalMs: this.intervalMs });
      entry.count = 0;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.flush();
    this.repeats.clear();
  }
}
