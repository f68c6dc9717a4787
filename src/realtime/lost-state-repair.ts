import type { RealtimeContext } from './context';
import { runInOrder } from './guard';

/**
 * Repairs what the shared store lost (a Redis that restarted empty, or the cluster taking this node
 * for dead while it was cut off and dropping its entries), so that nobody is left waiting for a
 * partner that cannot come or talking into a room that no longer exists. Something must be missing
 * at two runs in a row: a user being paired right now is briefly out of the queue and not yet in a
 * room, and a room being closed right now is briefly gone from the store with its sockets still in it.
 */
export class LostStateRepair {
  private readonly waitersMissingOnce = new Set<string>();
  private readonly roomsMissingOnce = new Set<string>();

  constructor(private readonly ctx: RealtimeContext) {}

  async run(): Promise<void> {
    const [requeued, roomsEnded] = await Promise.all([this.requeueLostWaiters(), this.endLostRooms()]);
    this.ctx.countClusterRepairs('requeued_waiter', requeued);
    this.ctx.countClusterRepairs('ended_lost_room', roomsEnded);
    // One line per run: after a Redis restart this can be thousands of users at once.
    if (requeued + roomsEnded > 0) this.ctx.logger.warn('repaired state the shared store had lost', { requeued, roomsEnded });
  }

  /** This node's waiting users whose queue entry is gone are queued again, without a second announcement. */
  private async requeueLostWaiters(): Promise<number> {
    const { pairing, services } = this.ctx;
    const waiters = pairing.localWaiters();
    forgetAbsent(this.waitersMissingOnce, (userId) => waiters.has(userId));
    const checks = [...waiters].map(async ([userId, socketId]) => {
      const socket = this.ctx.io.sockets.sockets.get(socketId);
      if (!socket?.connected) return 0;
      const present = (await services.queue.isWaiting(userId)) || (await services.rooms.roomOf(userId)) !== undefined;
      if (!this.missingTwice(this.waitersMissingOnce, userId, present)) return 0;
      let requeued = 0;
      await runInOrder(socket, async () => {
        if (pairing.localWaiters().get(userId) !== socketId || !socket.data.lastJoin) return;
        await pairing.requestPartner(socket, socket.data.lastJoin, false);
        requeued = 1;
      });
      return requeued;
    });
    return sum(await Promise.all(checks));
  }

  /** Users in a room the store no longer holds are told it ended, instead of having messages refused. */
  private async endLostRooms(): Promise<number> {
    const { io, services } = this.ctx;
    // Socket.io puts every socket in a room named by its id (the adapter's sids, which also hold the
    // ids of users inside their reconnect grace); the others are conversation rooms.
    const { adapter } = io.of('/');
    const local = new Set([...adapter.rooms.keys()].filter((roomId) => !adapter.sids.has(roomId)));
    forgetAbsent(this.roomsMissingOnce, (roomId) => local.has(roomId));
    const checks = [...local].map(async (roomId) => {
      const present = (await services.rooms.get(roomId)) !== undefined;
      if (!this.missingTwice(this.roomsMissingOnce, roomId, present)) return 0;
      io.local.to(roomId).emit('partner_disconnected', { reason: 'disconnected' });
      io.local.in(roomId).socketsLeave(roomId);
      return 1;
    });
    return sum(await Promise.all(checks));
  }

  /** Records this run's finding; true when `key` was missing at this run and the one before. */
  private missingTwice(missingOnce: Set<string>, key: string, present: boolean): boolean {
    if (present) {
      missingOnce.delete(key);
      return false;
    }
    if (missingOnce.delete(key)) return true;
    missingOnce.add(key);
    return false;
  }
}

function forgetAbsent(keys: Set<string>, stillThere: (key: string) => boolean): void {
  for (const key of keys) if (!stillThere(key)) keys.delete(key);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
