import type { Redis } from 'ioredis';
import { v4 as uuidv4 } from 'uuid';
import type { RoomManager } from '../room-manager';
import type { ChatMessage, CountsByType, Participant, Room, SessionType } from '../types';
import { DEFAULT_PREFIX, defineScript, readCountsByType, type ScriptRunner } from './keys';

/**
 * Layout (P = prefix), no TTLs: a room lives until it is closed.
 *   P room:<id>             string JSON Room
 *   P room:<id>:msgs        list   newest `historyLimit` messages (JSON), oldest first
 *   P rooms:by-user         hash   userId → roomId
 *   P rooms:counts          hash   type → open rooms
 *   P rooms:node:<nodeId>   set    roomIds with a participant on that node
 */
const CLOSE = `
local id = ARGV[2]
local raw = redis.call('GET', P .. 'room:' .. id)
if not raw then return false end
local room = cjson.decode(raw)
redis.call('DEL', P .. 'room:' .. id, P .. 'room:' .. id .. ':msgs')
redis.call('HINCRBY', P .. 'rooms:counts', room.type, -1)
for _, user in ipairs(room.users) do
  if redis.call('HGET', P .. 'rooms:by-user', user.userId) == id then redis.call('HDEL', P .. 'rooms:by-user', user.userId) end
  redis.call('SREM', P .. 'rooms:node:' .. user.nodeId, id)
end
return raw
`;

/** ARGV: 1 prefix, 2 roomId, 3 Room JSON, 4 type, 5.. the participants' userId, nodeId pairs. */
const CREATE = `
local id = ARGV[2]
redis.call('SET', P .. 'room:' .. id, ARGV[3])
redis.call('HINCRBY', P .. 'rooms:counts', ARGV[4], 1)
for i = 5, #ARGV, 2 do
  redis.call('HSET', P .. 'rooms:by-user', ARGV[i], id)
  redis.call('SADD', P .. 'rooms:node:' .. ARGV[i + 1], id)
end
`;

/** ARGV: 1 prefix, 2 roomId, 3 message JSON, 4 limit. Appends only to a room that still exists. */
const APPEND = `
local id = ARGV[2]
if redis.call('EXISTS', P .. 'room:' .. id) == 0 then return 0 end
local key = P .. 'room:' .. id .. ':msgs'
redis.call('RPUSH', key, ARGV[3])
redis.call('LTRIM', key, -tonumber(ARGV[4]), -1)
return 1
`;

export class RedisRoomManager implements RoomManager {
  private readonly createScript: ScriptRunner;
  private readonly closeScript: ScriptRunner;
  private readonly appendScript: ScriptRunner;

  constructor(
    private readonly redis: Redis,
    private readonly historyLimit: number,
    private readonly prefix = DEFAULT_PREFIX,
  ) {
    this.createScript = defineScript(redis, 'rcRoomCreate', CREATE);
    this.closeScript = defineScript(redis, 'rcRoomClose', CLOSE);
    this.appendScript = defineScript(redis, 'rcRoomAppend', APPEND);
  }

  async create(type: SessionType, a: Participant, b: Participant, now: number): Promise<Room> {
    const room: Room = { id: uuidv4(), type, users: [a, b], createdAt: now };
    // A script rather than a MULTI: it rides in the same auto-pipelined write as the other commands.
    await this.createScript(this.prefix, room.id, JSON.stringify(room), type, a.userId, a.nodeId, b.userId, b.nodeId);
    return room;
  }

  async get(roomId: string): Promise<Room | undefined> {
    return parseRoom(await this.redis.get(`${this.prefix}room:${roomId}`));
  }

  async roomOf(userId: string): Promise<Room | undefined> {
    const roomId = await this.redis.hget(`${this.prefix}rooms:by-user`, userId);
    return roomId === null ? undefined : this.get(roomId);
  }

  async close(roomId: string): Promise<Room | undefined> {
    return parseRoom((await this.closeScript(this.prefix, roomId)) as string | null);
  }

  async appendMessage(roomId: string, message: ChatMessage): Promise<void> {
    if (this.historyLimit === 0) return;
    await this.appendScript(this.prefix, roomId, JSON.stringify(message), this.historyLimit);
  }

  async history(roomId: string): Promise<ChatMessage[]> {
    const raw = await this.redis.lrange(`${this.prefix}room:${roomId}:msgs`, 0, -1);
    return raw.map((item) => JSON.parse(item) as ChatMessage);
  }

  async counts(): Promise<CountsByType> {
    return readCountsByType(this.redis, `${this.prefix}rooms:counts`);
  }

  async roomsOfNode(nodeId: string): Promise<Room[]> {
    const ids = await this.redis.smembers(`${this.prefix}rooms:node:${nodeId}`);
    if (ids.length === 0) return [];
    const raw = await this.redis.mget(ids.map((id) => `${this.prefix}room:${id}`));
    return raw.map(parseRoom).filter((room): room is Room => room !== undefined);
  }
}

function parseRoom(raw: string | null): Room | undefined {
  return raw === null ? undefined : (JSON.parse(raw) as Room);
}
