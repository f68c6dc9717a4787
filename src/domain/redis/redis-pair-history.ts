import type { Redis } from 'ioredis';
import type { PairHistory, PairHistoryTimings } from '../pair-history';
import { DEFAULT_PREFIX, defineScript, type ScriptRunner } from './keys';

/** ARGV: 1 prefix, 2 kind (recent|block), 3 a, 4 b, 5 now, 6 ttl ms. Keeps the later expiry. */
const ADD = `
local key = pairKey(ARGV[2], ARGV[3], ARGV[4])
local expiresAt = tonumber(ARGV[5]) + tonumber(ARGV[6])
local current = tonumber(redis.call('GET', key) or '0')
if current >= expiresAt then return 0 end
redis.call('SET', key, string.format('%.0f', expiresAt), 'PX', ARGV[6])
return 1
`;

/** ARGV: 1 prefix, 2 kind, 3 a, 4 b, 5 now. */
const ACTIVE = `
if pairActive(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])) then return 1 end
return 0
`;

/**
 * Recent and blocked pairs as `P pair:recent:<a>|<b>` / `P pair:block:<a>|<b>` = expiry time (ms),
 * with a PX expiry so departed ids vanish. RedisMatchQueue reads the same keys inside its scripts.
 */
export class RedisPairHistory implements PairHistory {
  private readonly prefix: string;
  private readonly addScript: ScriptRunner;
  private readonly activeScript: ScriptRunner;

  constructor(
    redis: Redis,
    private readonly timings: PairHistoryTimings,
    prefix = DEFAULT_PREFIX,
  ) {
    this.prefix = prefix;
    this.addScript = defineScript(redis, 'rcPairAdd', ADD);
    this.activeScript = defineScript(redis, 'rcPairActive', ACTIVE);
  }

  async recordMeeting(a: string, b: string, now: number): Promise<void> {
    if (this.timings.rematchCooldownMs > 0)
      await this.addScript(this.prefix, 'recent', a, b, now, this.timings.rematchCooldownMs);
  }

  async block(a: string, b: string, now: number): Promise<void> {
    if (this.timings.blockTtlMs > 0) await this.addScript(this.prefix, 'block', a, b, now, this.timings.blockTtlMs);
  }

  async isBlocked(a: string, b: string, now: number): Promise<boolean> {
    return (await this.activeScript(this.prefix, 'block', a, b, now)) === 1;
  }

  async metRecently(a: string, b: string, now: number): Promise<boolean> {
    return (await this.activeScript(this.prefix, 'recent', a, b, now)) === 1;
  }
}
