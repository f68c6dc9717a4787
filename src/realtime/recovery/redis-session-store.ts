import type { Redis } from 'ioredis';
import type { SessionStore, TakenSession } from './session-store';

/** KEYS: 1 session, 2 missed packets. ARGV: 1 packet. Appends only while the session is still there. */
const APPEND = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
`;

/** KEYS: 1 session, 2 missed packets. Single use: whoever takes it first gets it, with what it missed. */
const TAKE = `
local session = redis.call('GET', KEYS[1])
if not session then return false end
local missed = redis.call('LRANGE', KEYS[2], 0, -1)
redis.call('DEL', KEYS[1], KEYS[2])
return { session, missed }
`;

type SessionScripts = {
  rcGraceAppend(session: string, missed: string, packet: string): Promise<number>;
  rcGraceTake(session: string, missed: string): Promise<[string, string[]] | null>;
};

/**
 * Recovery sessions in Redis, so a user may come back on any node. Both keys of a session share a
 * hash tag (one slot) and expire with the grace; nothing is kept for users who are connected.
 *   P grace:{<pid>}          string  the session (socket id, rooms, socket.data), PX = grace
 *   P grace:{<pid>}:missed   list    packets for the user while away, PX = the session's remaining TTL
 */
export class RedisSessionStore implements SessionStore {
  private readonly scripts: SessionScripts;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('rcGraceAppend', { numberOfKeys: 2, lua: APPEND });
    redis.defineCommand('rcGraceTake', { numberOfKeys: 2, lua: TAKE });
    this.scripts = redis as unknown as SessionScripts;
  }

  private keys(pid: string): [string, string] {
    const session = `${this.prefix}grace:{${pid}}`;
    return [session, `${session}:missed`];
  }

  async save(pid: string, session: string, graceMs: number): Promise<void> {
    await this.redis.set(this.keys(pid)[0], session, 'PX', graceMs);
  }

  async append(pid: string, packet: string): Promise<boolean> {
    return (await this.scripts.rcGraceAppend(...this.keys(pid), packet)) === 1;
  }

  async take(pid: string): Promise<TakenSession | undefined> {
    const taken = await this.scripts.rcGraceTake(...this.keys(pid));
    return taken ? { session: taken[0], missed: taken[1] } : undefined;
  }

  async discardMissed(pid: string): Promise<void> {
    await this.redis.del(this.keys(pid)[1]);
  }

  async forget(pid: string): Promise<void> {
    await this.redis.del(...this.keys(pid));
  }
}
