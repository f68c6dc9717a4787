import type { RealtimeContext } from './context';

/**
 * Heartbeats this node into the cluster and cleans up after nodes that stopped heartbeating
 * (killed, partitioned): their rooms end with `partner_disconnected` for the surviving partner,
 * their queue entries vanish. Every survivor may reap; room closing is idempotent, so the partner
 * is told once.
 */
export function startNodeLiveness(ctx: RealtimeContext, localConnected: () => number): () => void {
  const { services, logger, config } = ctx;
  let running = false;
  let failing = false;

  async function reap(deadNodeId: string): Promise<void> {
    const rooms = await services.rooms.roomsOfNode(deadNodeId);
    for (const room of rooms) {
      const lost = room.users.find((user) => user.nodeId === deadNodeId);
      await ctx.pairing.endRoom(room, lost?.userId, 'disconnected');
    }
    const dequeued = await services.queue.removeNode(deadNodeId);
    await services.presence.forgetNode(deadNodeId);
    logger.warn('cleaned up after a dead node', { deadNodeId, rooms: rooms.length, dequeued });
  }

  async function beat(): Promise<void> {
    if (running) return;
    running = true;
    try {
      await services.presence.report(localConnected(), ctx.totals);
      for (const deadNodeId of await services.presence.deadNodes(Date.now())) {
        if (deadNodeId !== services.presence.nodeId) await reap(deadNodeId);
      }
      if (failing) logger.info('node heartbeat restored');
      failing = false;
    } catch (error) {
      // Logged when the failure starts, not on every beat while Redis stays down.
      if (!failing) logger.warn('node heartbeat failing', { error: String(error) });
      failing = true;
    } finally {
      running = false;
    }
  }

  const timer = setInterval(() => void beat(), config.redis.heartbeatMs);
  timer.unref();
  void beat();
  return () => clearInterval(timer);
}
