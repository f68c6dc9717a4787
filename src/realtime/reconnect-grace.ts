import type { Room } from '../domain/types';
import type { ClientSocket, RealtimeContext } from './context';
import { runInOrder } from './guard';

/** Disconnects the client asked for itself; anything else may be a dropped network. */
const DELIBERATE_DISCONNECTS = new Set(['client namespace disconnect', 'server namespace disconnect', 'server shutting down']);

/**
 * A user whose connection drops keeps their room for RECONNECT_GRACE_MS, so that connection state
 * recovery (recovery/) can bring them back into the same conversation; a waiting user leaves the
 * queue and is queued again on return. The partner hears `partner_reconnecting`, then
 * `partner_reconnected` or, when the grace ends, `partner_disconnected`.
 */
export class ReconnectGrace {
  private readonly roomTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: RealtimeContext) {}

  applies(reason: string): boolean {
    return this.ctx.config.reconnectGraceMs > 0 && !DELIBERATE_DISCONNECTS.has(reason);
  }

  hold(socket: ClientSocket, room: Room): void {
    const { userId } = socket.data;
    this.ctx.io.to(room.id).except(socket.id).emit('partner_reconnecting', { graceMs: this.ctx.config.reconnectGraceMs });
    const timer = setTimeout(() => {
      this.roomTimers.delete(userId);
      void runInOrder(socket, () => this.endRoomUnlessBack(socket)).catch((error: unknown) =>
        this.ctx.logger.error('ending room after grace failed', { userId, error }),
      );
    }, this.ctx.config.reconnectGraceMs);
    timer.unref();
    this.roomTimers.set(userId, timer);
  }

  /** The user is back on this node with their session: resume the room, or the wait. */
  async recovered(socket: ClientSocket): Promise<void> {
    const { userId } = socket.data;
    clearTimeout(this.roomTimers.get(userId));
    this.roomTimers.delete(userId);
    const room = await this.ctx.services.rooms.roomOf(userId);
    for (const roomId of socket.rooms) {
      if (roomId === socket.id || roomId === room?.id) continue;
      void socket.leave(roomId);
      socket.emit('partner_disconnected', { reason: 'disconnected' });
    }
    if (room && socket.rooms.has(room.id)) this.ctx.io.to(room.id).except(socket.id).emit('partner_reconnected');
    // A session is recoverable only within the grace, so a user who was waiting still has a place.
    if (!socket.data.waitingWhenDropped) return;
    socket.data.waitingWhenDropped = false;
    if (!room && socket.data.lastJoin) await this.ctx.pairing.requestPartner(socket, socket.data.lastJoin);
  }

  /** The session may have been recovered on another node: ask the cluster before ending the room. */
  private async endRoomUnlessBack(socket: ClientSocket): Promise<void> {
    const returned = await this.ctx.io.in(socket.id).fetchSockets();
    if (returned.length > 0) return;
    const room = await this.ctx.services.rooms.roomOf(socket.data.userId);
    if (room) await this.ctx.pairing.endRoom(room, socket.data.userId, 'disconnected');
  }

  stop(): void {
    for (const timer of this.roomTimers.values()) clearTimeout(timer);
    this.roomTimers.clear();
  }
}
