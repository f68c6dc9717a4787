import type { Redis } from 'ioredis';
import type { PairHistory, PairHistoryTimings, PairMember } from '../pair-history';
import { DEFAULT_PREFIX, defineScript, type ScriptRunner } from './keys';

/**
 * ARGV: 1 prefix, 2 kind (recent|block), 3 a, 4 b, 5 a's IP hash, 6 b's IP hash, 7 now, 8 ttl ms.
 * Records the id pair and, when tracked (see tracksAddresses), the address pair; keeps the later expiry.
 */
const ADD = `
local expiresAt = tonumber(ARGV[7]) + tonumber(ARGV[8])
local function extend(key)
  local current = tonumber(redis.call('GET', key) or '0')
  if current >= expiresAt then return end
  redis.call('SET', key, string.format('%.0f', expiresAt), 'PX', ARGV[8])
end
extend(pairKey(ARGV[2], ARGV[3], ARGV[4]))
if tracksAddresses(ARGV[5], ARGV[6]) then extend(pairKey(ARGV[2] .. '-ip', ARGV[5], ARGV[6])) end
return 1
`;

/** ARGV: 1 prefix, 2 kind, 3 a, 4 b, 5 a's IP hash, 6 b's IP hash, 7 now. */
const ACTIVE = `
local a = { userId = ARGV[3], ipHash = ARGV[5] }
local b = { userId = ARGV[4], ipHash = ARGV[6] }
if membersActive(ARGV[2], a, b, tonumber(ARGV[7])) then return 1 end
return 0
`;

/**
 * Recent and blocked pairs as `P pair:recent:<a>|<b>` / `P pair:block:<a>|<b>` (anonymous ids) and
 * `P pair:recent-ip:<h>|<h>` / `P pair:block-ip:<h>|<h>` (salted IP hashes) = expiry time (ms), with
 * a PX expiry so departed ids and addresses vanish. RedisMatchQueue reads the same keys in its scripts.
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

  async recordMeeting(a: PairMember, b: PairMember, now: number): Promise<void> {
    if (this.timings.rematchCooldownMs > 0) await this.add('recent', a, b, now, this.timings.rematchCooldownMs);
  }

  async block(a: PairMember, b: PairMember, now: number): Promise<void> {
    if (this.timings.blockTtlMs > 0) await this.add('block', a, b, now, this.timings.blockTtlMs);
  }

  async isBlocked(a: PairMember, b: PairMember, now: number): Promise<boolean> {
    return (await this.activeScript(this.prefix, 'block', a.userId, b.userId, a.ipHash, b.ipHash, now)) === 1;
  }

  async metRecently(a: PairMember, b: PairMember, now: number): Promise<boolean> {
    return (await this.activeScript(this.prefix, 'recent', a.userId, b.userId, a.ipHash, b.ipHash, now)) === 1;
  }

  private async add(kind: 'recent' | 'block', a: PairMember, b: PairMember, now: number, ttlMs: number): Promise<void> {
    await this.addScript(this.prefix, kind, a.userId, b.userId, a.ipHash, b.ipHash, now, ttlMs);
  }
}
