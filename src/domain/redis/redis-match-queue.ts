import type { Redis } from 'ioredis';
import { DEFAULT_SCAN_LIMIT, type MatchQueue, type MatchQueueOptions } from '../match-queue';
import { commonInterests, preferenceKeys } from '../preferences';
import type { CountsByType, Match, WaitingUser } from '../types';
import { DEFAULT_PREFIX, defineScript, readCountsByType, type ScriptRunner } from './keys';

/**
 * The queue in Lua. Layout (P = prefix):
 *   P q:entries            hash   userId → {"user":WaitingUser,"keys":[preference keys]}
 *   P q:seq                string insertion counter (sorted-set score = FIFO position)
 *   P q:counts             hash   type → waiting users
 *   P q:open:<lane>        zset   users open to anyone, oldest first
 *   P q:key:<lane>:<key>   zset   users by preference key (i:<interest> or l:<lang>), oldest first
 * where <lane> is the session type, or <type>@<pool> outside the default pool (see queueLane).
 *   P q:node:<nodeId>      set    users queued by that node
 * ARGV: 1 prefix, 2 interest timeout (ms), 3 scan limit, 4 local preference (ms), 5 now (ms), then
 * the script's own argument.
 * The search mirrors MemoryMatchQueue line by line; see that class for the rules.
 */
const QUEUE_LUA = `
local TIMEOUT = tonumber(ARGV[2])
local PREFER_LOCAL = tonumber(ARGV[4])
local NOW = tonumber(ARGV[5])
-- The candidates this search may still examine, and whether it wanted more (see ScanBudget).
local budget = tonumber(ARGV[3])
local cut = 0
local ENTRIES = P .. 'q:entries'
local COUNTS = P .. 'q:counts'
local BATCH = 100
local function lane(u)
  local pool = u.pool
  if pool == nil or pool == cjson.null or pool == '' then return u.type end
  return u.type .. '@' .. pool
end
local function openKey(u) return P .. 'q:open:' .. lane(u) end
local function bucketKey(u, k) return P .. 'q:key:' .. lane(u) .. ':' .. k end
local function nodeKey(n) return P .. 'q:node:' .. n end
local function lang(u)
  local l = u.language
  if l == nil or l == cjson.null or l == '' then return nil end
  return l
end
local function languagesCompatible(a, b)
  local la, lb = lang(a), lang(b)
  return la == nil or lb == nil or la == lb
end
local function waitedOut(u) return NOW >= u.enqueuedAt + TIMEOUT end
local function mayMeet(a, b, allowRecent)
  if a.userId == b.userId or membersActive('block', a, b, NOW) then return false end
  return allowRecent or not membersActive('recent', a, b, NOW)
end

local function take(id)
  local raw = redis.call('HGET', ENTRIES, id)
  if not raw then return nil end
  local e = cjson.decode(raw)
  local u = e.user
  redis.call('HDEL', ENTRIES, id)
  redis.call('HINCRBY', COUNTS, u.type, -1)
  redis.call('ZREM', openKey(u), id)
  for _, k in ipairs(e.keys) do redis.call('ZREM', bucketKey(u, k), id) end
  redis.call('SREM', nodeKey(u.nodeId), id)
  return raw
end

local function insert(raw, e)
  local u = e.user
  local seq = redis.call('INCR', P .. 'q:seq')
  redis.call('HSET', ENTRIES, u.userId, raw)
  redis.call('HINCRBY', COUNTS, u.type, 1)
  for _, k in ipairs(e.keys) do redis.call('ZADD', bucketKey(u, k), seq, u.userId) end
  if #e.keys == 0 or waitedOut(u) then redis.call('ZADD', openKey(u), seq, u.userId) end
  redis.call('SADD', nodeKey(u.nodeId), u.userId)
end

-- Waiting order with the same-node preference: lower goes first (see MemoryMatchQueue.rank).
local function rank(searcher, c)
  if c.nodeId == searcher.nodeId then return c.enqueuedAt - PREFER_LOCAL end
  return c.enqueuedAt
end
local function mayOutrank(searcher, c, best) return c.enqueuedAt - PREFER_LOCAL < rank(searcher, best) end
local function settled(searcher, best) return PREFER_LOCAL == 0 or best.nodeId == searcher.nodeId end

-- Calls visit(candidate, raw) on each entry of a zset but the searcher's own, oldest first, until
-- it returns true or the budget is spent.
local function scan(key, selfId, visit)
  local i = 0
  while true do
    local ids = redis.call('ZRANGE', key, i, i + BATCH - 1)
    for _, id in ipairs(ids) do
      local raw = redis.call('HGET', ENTRIES, id)
      if raw and id ~= selfId then
        if budget <= 0 then
          cut = 1
          return
        end
        budget = budget - 1
        if visit(cjson.decode(raw), raw) then return end
      end
    end
    if #ids < BATCH then return end
    i = i + BATCH
  end
end

-- The longest-waiting user who shares a preference key and may meet this one.
local function findPreferred(e)
  local best, bestRaw
  for _, k in ipairs(e.keys) do
    if cut == 1 then break end
    scan(bucketKey(e.user, k), e.user.userId, function(c, raw)
      if best and not mayOutrank(e.user, c.user, best.user) then return true end
      if mayMeet(e.user, c.user, false) and languagesCompatible(e.user, c.user)
        and (not best or rank(e.user, c.user) < rank(e.user, best.user)) then
        best, bestRaw = c, raw
        return settled(e.user, c.user)
      end
      return false
    end)
  end
  return best, bestRaw
end

-- The longest-waiting open user; a recent partner only when nobody else is there.
local function findOpen(e, allowRecent)
  local found, foundRaw, recent, recentRaw
  scan(openKey(e.user), e.user.userId, function(c, raw)
    if found and not mayOutrank(e.user, c.user, found.user) then return true end
    if mayMeet(e.user, c.user, false) then
      if not found or rank(e.user, c.user) < rank(e.user, found.user) then
        found, foundRaw = c, raw
        return settled(e.user, c.user)
      end
      return false
    end
    if allowRecent and not recent and mayMeet(e.user, c.user, true) then recent, recentRaw = c, raw end
    return false
  end)
  if found then return found, foundRaw end
  return recent, recentRaw
end

local function findPartner(e, forceOpen)
  local wo = forceOpen or waitedOut(e.user)
  local p, raw = findPreferred(e)
  if not p and (wo or #e.keys == 0) then p, raw = findOpen(e, wo) end
  if not p then return nil end
  take(p.user.userId)
  return raw
end
`;

// Replies { partner entry or '', cut }.
const MATCH_OR_ENQUEUE = `${QUEUE_LUA}
local raw = ARGV[6]
local e = cjson.decode(raw)
take(e.user.userId)
local partner = findPartner(e, false)
if partner then return { partner, cut } end
insert(raw, e)
return { '', cut }
`;

// Replies { partner entry or '', own entry or '', cut }.
const OPEN_TO_ANYONE = `${QUEUE_LUA}
local id = ARGV[6]
local raw = redis.call('HGET', ENTRIES, id)
if not raw then return { '', '', 0 } end
local e = cjson.decode(raw)
local partner = findPartner(e, true)
if partner then
  take(id)
  return { partner, raw, cut }
end
redis.call('ZADD', openKey(e.user), 'NX', redis.call('INCR', P .. 'q:seq'), id)
return { '', '', cut }
`;

const REMOVE = `${QUEUE_LUA}
if take(ARGV[6]) then return 1 end
return 0
`;

const REMOVE_NODE = `${QUEUE_LUA}
local ids = redis.call('SMEMBERS', nodeKey(ARGV[6]))
local n = 0
for _, id in ipairs(ids) do
  if take(id) then n = n + 1 end
end
redis.call('DEL', nodeKey(ARGV[6]))
return n
`;

interface StoredEntry {
  user: WaitingUser;
  keys: string[];
}

export interface RedisMatchQueueOptions extends MatchQueueOptions {
  prefix?: string;
}

/**
 * The shared queue: every method is one Lua script, so concurrent calls from any number of nodes
 * never hand one waiting user to two partners. Reads recent/blocked pairs written by RedisPairHistory
 * under the same prefix.
 */
export class RedisMatchQueue implements MatchQueue {
  private readonly prefix: string;
  private readonly interestTimeoutMs: number;
  private readonly scanLimit: number;
  private readonly localPreferenceMs: number;
  private cutScans = 0;
  private readonly matchScript: ScriptRunner;
  private readonly openScript: ScriptRunner;
  private readonly removeScript: ScriptRunner;
  private readonly removeNodeScript: ScriptRunner;

  constructor(
    private readonly redis: Redis,
    options: RedisMatchQueueOptions,
  ) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.interestTimeoutMs = options.interestTimeoutMs;
    this.scanLimit = options.scanLimit ?? DEFAULT_SCAN_LIMIT;
    this.localPreferenceMs = options.localPreferenceMs ?? 0;
    this.matchScript = defineScript(redis, 'rcQueueMatchOrEnqueue', MATCH_OR_ENQUEUE);
    this.openScript = defineScript(redis, 'rcQueueOpenToAnyone', OPEN_TO_ANYONE);
    this.removeScript = defineScript(redis, 'rcQueueRemove', REMOVE);
    this.removeNodeScript = defineScript(redis, 'rcQueueRemoveNode', REMOVE_NODE);
  }

  async matchOrEnqueue(user: WaitingUser, now: number): Promise<Match | null> {
    const entry: StoredEntry = { user, keys: preferenceKeys(user) };
    const [raw, cut] = (await this.run(this.matchScript, now, JSON.stringify(entry))) as [string, number];
    this.cutScans += cut;
    if (raw === '') return null;
    const partner = (JSON.parse(raw) as StoredEntry).user;
    return { partner, commonInterests: commonInterests(user, partner) };
  }

  async openToAnyone(userId: string, now: number): Promise<Match | null> {
    const [partnerRaw, ownRaw, cut] = (await this.run(this.openScript, now, userId)) as [string, string, number];
    this.cutScans += cut;
    if (partnerRaw === '') return null;
    const partner = (JSON.parse(partnerRaw) as StoredEntry).user;
    const self = (JSON.parse(ownRaw) as StoredEntry).user;
    return { partner, commonInterests: commonInterests(self, partner) };
  }

  async remove(userId: string): Promise<boolean> {
    return (await this.run(this.removeScript, 0, userId)) === 1;
  }

  async isWaiting(userId: string): Promise<boolean> {
    return (await this.redis.hexists(`${this.prefix}q:entries`, userId)) === 1;
  }

  async waitingCounts(): Promise<CountsByType> {
    return readCountsByType(this.redis, `${this.prefix}q:counts`);
  }

  boundedScans(): number {
    return this.cutScans;
  }

  async removeNode(nodeId: string): Promise<number> {
    return Number(await this.run(this.removeNodeScript, 0, nodeId));
  }

  private run(script: ScriptRunner, now: number, arg: string): Promise<unknown> {
    return script(this.prefix, this.interestTimeoutMs, this.scanLimit, this.localPreferenceMs, now, arg);
  }
}
