import type { RealtimeContext } from './context';
import { LostStateRepair } from './lost-state-repair';
import { SerialSteps } from './serial-steps';

/**
 * Heartbeats this node into the cluster and cleans up after nodes that stopped heartbeating
 * (killed, partitioned): their rooms end with `partner_disconnected` for the surviving partner,
 * their queue entries vanish. Every survivor may reap; room closing is idempotent, so the partner
 * is told once. Each beat also repairs what the shared store lost (see LostStateRepair).
 *
 * A survivor looks for the dead on every beat and, between beats, exactly when the first peer's last
 * heartbeat turns NODE_DEAD_AFTER_MS old, so a killed node's partners are told within
 * NODE_DEAD_AFTER_MS of its last heartbeat rather than up to a heartbeat later.
 *
 * A node reaps only once its own heartbeats have gone through steadily for NODE_DEAD_AFTER_MS: after
 * an outage that every node shared (Redis down, a partition), peers come back one by one, and the
 * first one back would otherwise take the others' stale heartbeats for deaths and end their rooms.
 */
export function startNodeLiveness(ctx: RealtimeContext, localConnected: () => number): () => void {
  const { services, logger, config } = ctx;
  let failing = false;
  let steadySince: number | undefined;
  let lastBeatAt = 0;
  let sweepTimer: NodeJS.Timeout | undefined;
  let stopped = false;
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

  async function reapTheDead(): Promise<void> {
    const now = Date.now();
    if (steadySince === undefined || now - steadySince < config.redis.deadAfterMs) return;
    for (const deadNodeId of await services.presence.deadNodes(now)) {
      if (deadNodeId !== services.presence.nodeId) await reap(deadNodeId);
    }
  }

  // One beat or sweep at a time; a failure marks Redis unsteady until a heartbeat goes through.
  const steps = new SerialSteps((error) => {
    // Logged when the failure starts, not on every beat while Redis stays down.
    if (!failing) logger.warn('node heartbeat failing', { error });
    failing = true;
    steadySince = undefined;
  });

  async function sweep(): Promise<void> {
    await reapTheDead();
    await scheduleSweep();
  }

  /** Looks again when the first peer would turn dead, if that comes before the next beat. */
  async function scheduleSweep(): Promise<void> {
    const deadline = await services.presence.firstPeerDeadline();
    if (deadline === undefined || stopped) return;
    const delayMs = deadline - Date.now() + 1;
    if (delayMs >= config.redis.heartbeatMs) return;
    clearTimeout(sweepTimer);
    sweepTimer = setTimeout(() => void steps.run(sweep), Math.max(delayMs, 0));
    sweepTimer.unref();
  }

  async function heartbeat(): Promise<void> {
    await services.presence.report(localConnected(), ctx.totals);
    const now = Date.now();
    // A gap in our own heartbeats means Redis may have been out of reach for the others too.
    if (steadySince === undefined || now - lastBeatAt > 2 * config.redis.heartbeatMs) steadySince = now;
    lastBeatAt = now;
    if (failing) logger.info('node heartbeat restored');
    failing = false;
    await repairLostState();
    await reapTheDead();
    await scheduleSweep();
  }

  const beat = () => void steps.run(heartbeat);
  const timer = setInterval(beat, config.redis.heartbeatMs);
  timer.unref();
  beat();
  return () => {
    stopped = true;
    steps.stop();
    clearInterval(timer);
    clearTimeout(sweepTimer);
  };
}
