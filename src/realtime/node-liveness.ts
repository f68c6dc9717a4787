import type { RealtimeContext } from './context';
import { LostStateRepair } from './lost-state-repair';

/**
 * Heartbeats this node into the cluster and cleans up after nodes that stopped heartbeating
 * (killed, partitioned): their rooms end with `partner_disconnected` for the surviving partner,
 * their queue entries vanish. Every survivor may reap; room closing is idempotent, so the partner
 * is told once. Each beat also repairs what the shared store lost (see LostStateRepair).
 *
 * A node reaps only once its own heartbeats have gone through steadily for NODE_DEAD_AFTER_MS: after
 * an outage that every node shared (Redis down, a partition), peers come back one by one, and the
 * first one back would otherwise take the others' stale heartbeats for deaths and end their rooms.
 */
export function startNodeLiveness(ctx: RealtimeContext, localConnected: () => number): () => void {
  const { services, logger, config } = ctx;
  let running = false;
  let failing = false;
  let steadySince: number | undefined;
  let lastBeatAt = 0;
  const repair = new LostStateRepair(ctx);

  async function reap(deadNodeId: string): Promise<void> {
    const rooms = await services.rooms.roomsOfNode(deadNodeId);
    for (const room of rooms) {
      const lost = room.users.find((user) => user.nodeId === deadNodeId);
      await ctx.pairing.endRoom(room, lost?.userId, 'disconnected');
    }
    const dequeued = await services.queue.removeNode(deadNodeId);
    await services.presence.forgetNode(deadNodeId);
    ctx.countClusterRepairs('dead_node', 1);
    logger.warn('cleaned up after a dead node', { deadNodeId, rooms: rooms.length, dequeued });
  }

  async function repairLostState(): Promise<void> {
    try {
      await repair.run();
    } catch (error) {
      logger.error('repairing lost queue entries and rooms failed', { error });
    }
  }

  async function beat(): Promise<void> {
    if (running) return;
    running = true;
    try {
      await services.presence.report(localConnected(), ctx.totals);
      const now = Date.now();
      // A gap in our own heartbeats means Redis may have been out of reach for the others too.
      if (steadySince === undefined || now - lastBeatAt > 2 * config.redis.heartbeatMs) steadySince = now;
      lastBeatAt = now;
      if (failing) logger.info('node heartbeat restored');
      failing = false;
      await repairLostState();
      if (now - steadySince < config.redis.deadAfterMs) return;
      for (const deadNodeId of await services.presence.deadNodes(now)) {
        if (deadNodeId !== services.presence.nodeId) await reap(deadNodeId);
      }
    } catch (error) {
      // Logged when the failure starts, not on every beat while Redis stays down.
      if (!failing) logger.warn('node heartbeat failing', { error });
      failing = true;
      steadySince = undefined;
    } finally {
      running = false;
    }
  }

  const timer = setInterval(() => void beat(), config.redis.heartbeatMs);
  timer.unref();
  void beat();
  return () => clearInterval(timer);
}
