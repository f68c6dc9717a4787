import type { Redis } from 'ioredis';
import type { ExpiringMarks } from '../expiring-marks';
import { DEFAULT_PREFIX, defineScript, type ScriptRunner } from './keys';

/**
 * A mark's value is its expiry (ms) and counts only while `value > now`, so the callers' clock
 * decides as in memory; the key's PX expiry merely collects garbage.
 */
const MARK_ONCE = `
local key, untilMs, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('GET', key)
if v ~= false and tonumber(v) > now then return 0 end
redis.call('SET', key, untilMs, 'PX', math.max(1, untilMs - now))
return 1
`;

const MARK = `
local key, untilMs, now = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('GET', key)
if v ~= false and tonumber(v) >= untilMs then return 0 end
redis.call('SET', key, untilMs, 'PX', math.max(1, untilMs - now))
return 1
`;

export class RedisExpiringMarks implements ExpiringMarks {
  private readonly markOnceScript: ScriptRunner;
  private readonly markScript: ScriptRunner;

  constructor(
    private readonly redis: Redis,
    private readonly prefix = DEFAULT_PREFIX,
  ) {
    this.markOnceScript = defineScript(redis, 'rcMarkOnce', MARK_ONCE);
    this.markScript = defineScript(redis, 'rcMark', MARK);
  }

  async markOnce(key: string, until: number, now: number): Promise<boolean> {
    return (await this.markOnceScript(this.prefix, this.key(key), until, now)) === 1;
  }

  async mark(key: string, until: number, now: number): Promise<void> {
    await this.markScript(this.prefix, this.key(key), until, now);
  }

  async isMarked(key: string, now: number): Promise<boolean> {
    const value = await this.redis.get(this.key(key));
    return value !== null && Number(value) > now;
  }

  private key(key: string): string {
    return `${this.prefix}mark:${key}`;
  }
}
