import type { Redis } from 'ioredis';
import { addTotals, emptyTotals, type Totals } from '../counters';
import type { Presence } from '../presence';
import { DEFAULT_PREFIX, execChecked } from './keys';

export interface RedisPresenceOptions {
  nodeId: string;
  /** A node whose last heartbeat is older than this is dead (NODE_DEAD_AFTER_MS). */
  deadAfterMs: number;
  prefix?: string;
  /** Heartbeat timestamps; injectable so tests control time. */
  clock?: () => number;
}

/**
 * Layout (P = prefix):
 *   P presence:nodes          zset  nodeId → time of its last heartbeat
 *   P presence:node:<nodeId>  hash  { connected, totals (JSON) }, PX = deadAfterMs
 * The per-node hash expires on its own when heartbeats stop, so sums cover live nodes only; the
 * zset remembers the dead until a survivor has cleaned up after them and calls `forgetNode`.
 */
export class RedisPresence implements Presence {
  readonly nodeId: string;
  private readonly deadAfterMs: number;
  private readonly prefix: string;
  private readonly clock: () => number;

  constructor(
    private readonly redis: Redis,
    options: RedisPresenceOptions,
  ) {
    this.nodeId = options.nodeId;
    this.deadAfterMs = options.deadAfterMs;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.clock = options.clock ?? Date.now;
  }

  async report(connected: number, totals: Totals): Promise<void> {
    const key = this.nodeKey(this.nodeId);
    await execChecked(
      this.redis
        .multi()
        .hset(key, 'connected', String(connected), 'totals', JSON.stringify(totals))
        .pexpire(key, this.deadAfterMs)
        .zadd(this.nodesKey(), this.clock(), this.nodeId),
    );
  }

  async connectedCount(): Promise<number> {
    const nodes = await this.liveNodeFields('connected');
    return nodes.reduce((sum, value) => sum + Number(value), 0);
  }

  async totals(): Promise<Totals> {
    const sum = emptyTotals();
    for (const raw of await this.liveNodeFields('totals')) {
      addTotals(sum, JSON.parse(raw) as Partial<Totals>);
    }
    return sum;
  }

  /** Other nodes whose last heartbeat is older than deadAfterMs (this node never declares itself dead). */
  async deadNodes(now: number): Promise<string[]> {
    const ids = await this.redis.zrangebyscore(this.nodesKey(), '-inf', `(${now - this.deadAfterMs}`);
    return ids.filter((id) => id !== this.nodeId);
  }

  async firstPeerDeadline(): Promise<number | undefined> {
    // The two oldest heartbeats: one of them may be this node's own.
    const oldest = await this.redis.zrange(this.nodesKey(), 0, 1, 'WITHSCORES');
    for (let i = 0; i < oldest.length; i += 2) {
      if (oldest[i] !== this.nodeId) return Number(oldest[i + 1]) + this.deadAfterMs;
    }
    return undefined;
  }

  async lastHeartbeat(nodeId: string): Promise<number | undefined> {
    const score = await this.redis.zscore(this.nodesKey(), nodeId);
    return score === null ? undefined : Number(score);
  }

  async forgetNode(nodeId: string): Promise<void> {
    await execChecked(this.redis.multi().zrem(this.nodesKey(), nodeId).del(this.nodeKey(nodeId)));
  }

  /** One field of every node whose heartbeat hash has not expired. */
  private async liveNodeFields(field: 'connected' | 'totals'): Promise<string[]> {
    const ids = await this.redis.zrange(this.nodesKey(), 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.nodeKey(id), field);
    const replies = (await pipeline.exec()) ?? [];
    return replies.flatMap(([error, value]) => {
      if (error) throw error;
      return typeof value === 'string' ? [value] : [];
    });
  }

  private nodesKey(): string {
    return `${this.prefix}presence:nodes`;
  }

  private nodeKey(nodeId: string): string {
    return `${this.prefix}presence:node:${nodeId}`;
  }
}
