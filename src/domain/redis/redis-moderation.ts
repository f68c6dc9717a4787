import type { Redis } from 'ioredis';
import type { ModerationStore } from '../moderation';
import { DEFAULT_PREFIX } from './keys';

/**
 * Layout (P = prefix):
 *   P mod:reports:<reportedId>  zset reporterId → time of their latest report (PX = window)
 *   P mod:ban:id:<userId>       string ban end (ms), PX until then
 *   P mod:ban:ip:<ipHash>       string ban end (ms), PX until then
 * The stored end time is what counts (compared with the caller's `now`); the key expiry, on the
 * Redis clock, only collects garbage.
 */
export class RedisModerationStore implements ModerationStore {
  constructor(
    private readonly redis: Redis,
    private readonly windowMs: number,
    private readonly prefix = DEFAULT_PREFIX,
  ) {}

  async recordReport(reportedId: string, reporterId: string, now: number): Promise<number> {
    const key = `${this.prefix}mod:reports:${reportedId}`;
    const replies = await this.redis
      .multi()
      .zadd(key, now, reporterId)
      .zremrangebyscore(key, '-inf', now - this.windowMs)
      .zcard(key)
      .pexpire(key, this.windowMs)
      .exec();
    const [error, count] = replies?.[2] ?? [new Error('report transaction aborted'), 0];
    if (error) throw error;
    return Number(count);
  }

  async ban(userId: string, ipHash: string, until: number): Promise<void> {
    const ttl = Math.ceil(until - Date.now());
    const tx = this.redis.multi().del(`${this.prefix}mod:reports:${userId}`);
    if (ttl > 0) {
      tx.set(this.idKey(userId), String(until), 'PX', ttl).set(this.ipKey(ipHash), String(until), 'PX', ttl);
    }
    await tx.exec();
  }

  async banRemaining(userId: string, ipHash: string, now: number): Promise<number> {
    const [byId, byIp] = await this.redis.mget(this.idKey(userId), this.ipKey(ipHash));
    const until = Math.max(Number(byId ?? 0), Number(byIp ?? 0));
    if (until > now) return until - now;
    if (byId !== null || byIp !== null) await this.redis.del(this.idKey(userId), this.ipKey(ipHash));
    return 0;
  }

  private idKey(userId: string): string {
    return `${this.prefix}mod:ban:id:${userId}`;
  }

  private ipKey(ipHash: string): string {
    return `${this.prefix}mod:ban:ip:${ipHash}`;
  }
}
