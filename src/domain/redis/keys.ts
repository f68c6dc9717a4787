import type { ChainableCommander, Redis } from 'ioredis';
import { SESSION_TYPES, type CountsByType } from '../types';

/** Every key lives under one prefix (default `rc:`), so tests and deployments can share a Redis. */
export const DEFAULT_PREFIX = 'rc:';

/**
 * Lua helpers shared by the scripts. `P` is the key prefix, passed as ARGV[1] to every script.
 * Pair keys order the two ids (or IP hashes) bytewise, so every script (and every node) names a pair
 * the same way.
 * A pair record's value is its expiry time (ms); it counts only while `value > now`, so callers
 * control time, and the key's PX expiry merely collects garbage.
 */
export const LUA_PRELUDE = `
local P = ARGV[1]
local function pairKey(kind, a, b)
  if a < b then return P .. 'pair:' .. kind .. ':' .. a .. '|' .. b end
  return P .. 'pair:' .. kind .. ':' .. b .. '|' .. a
end
local function pairActive(kind, a, b, now)
  local v = redis.call('GET', pairKey(kind, a, b))
  return v ~= false and tonumber(v) > now
end
local function tracksAddresses(ipA, ipB)
  return ipA ~= nil and ipA ~= '' and ipA ~= ipB
end
-- A pair record of users { userId, ipHash }: by id, or by address when tracked (see PairHistory).
local function membersActive(kind, a, b, now)
  if pairActive(kind, a.userId, b.userId, now) then return true end
  return tracksAddresses(a.ipHash, b.ipHash) and pairActive(kind .. '-ip', a.ipHash, b.ipHash, now)
end
`;

export type ScriptRunner = (...args: (string | number)[]) => Promise<unknown>;

/** Registers a Lua script on the client (EVALSHA with EVAL fallback) and returns a caller for it. */
export function defineScript(redis: Redis, name: string, body: string): ScriptRunner {
  redis.defineCommand(name, { numberOfKeys: 0, lua: LUA_PRELUDE + body });
  const command = (redis as unknown as Record<string, ScriptRunner>)[name]!;
  return (...args) => command.apply(redis, args);
}

/** Per-type counters kept in one hash (type → count), read in SESSION_TYPES order. */
export async function readCountsByType(redis: Redis, key: string): Promise<CountsByType> {
  const values = await redis.hmget(key, ...SESSION_TYPES);
  return Object.fromEntries(SESSION_TYPES.map((type, i) => [type, Number(values[i] ?? 0)])) as CountsByType;
}

/**
 * Runs a MULTI and fails when any of its commands failed, or when it was aborted: ioredis reports
 * those in the reply array instead of rejecting.
 */
export async function execChecked(tx: ChainableCommander): Promise<unknown[]> {
  const replies = await tx.exec();
  if (!replies) throw new Error('redis transaction aborted');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
