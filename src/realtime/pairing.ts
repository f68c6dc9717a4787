import { buildIceServers } from '../domain/ice-servers';
import { poolKey } from '../domain/pools';
import { agePool } from '../safety/age-gate';
import type { Match, Room, WaitingUser } from '../domain/types';
import type { ClientSocket, JoinRequest, LeaveReason, PairingContext, RoomPairing } from './context';
import type { PartnerFoundPayload } from '../contract/events';

/** Tries before giving up on a match whose partner vanished between matching and joining. */
const MAX_PAIRING_ATTEMPTS = 5;

/**
 * Turns queue results into rooms and room endings into notifications. The queue and the room
 * store are the truth; this class only keeps the per-node timers.
 */
export class Pairing implements RoomPairing {
  private readonly fallbackTimers = new Map<string, NodeJS.Timeout>();
  /** This node's users who were told they are waiting (userId → socket id), until paired or gone. */
  private readonly waitingHere = new Map<string, string>();

  constructor(private readonly ctx: PairingContext) {
    // A pairing made on another node reaches this node's socket only as a room join.
    ctx.io.of('/').adapter.on('join-room', (roomId: string, socketId: string) => {
      const userId = roomId === socketId ? undefined : ctx.io.sockets.sockets.get(socketId)?.data.userId;
      if (userId) this.stopWaiting(userId);
    });
  }

  /** This node's users who were told they are waiting, as userId → socket id. */
  localWaiters(): ReadonlyMap<string, string> {
    return this.waitingHere;
  }

  /** Queues the socket's user, or pairs them at once when a partner is waiting. */
  async requestPartner(socket: ClientSocket, request: JoinRequest, announceWaiting = true): Promise<void> {
    const user: WaitingUser = {
      userId: socket.data.userId,
      socketId: socket.id,
      nodeId: this.ctx.services.presence.nodeId,
      ipHash: socket.data.ipHash,
      pool: poolKey({
        ageGroup: agePool(this.ctx.config.safety.ageGate, socket.data.ageGroup),
        shadow: socket.data.shadowBanned,
      }),
      ...request,
      enqueuedAt: Date.now(),
    };
    await this.pair(user, () => this.ctx.services.queue.matchOrEnqueue(user, Date.now()), announceWaiting);
  }

  /** Ends the user's preference window (interest timeout) and tries anyone. */
  private async fallBack(user: WaitingUser): Promise<void> {
    this.fallbackTimers.delete(user.userId);
    await this.pair(user, () => this.ctx.services.queue.openToAnyone(user.userId, Date.now()), false);
  }

  private async pair(user: WaitingUser, attempt: () => Promise<Match | null>, announceWaiting = true): Promise<void> {
    for (let tries = 0; tries < MAX_PAIRING_ATTEMPTS; tries += 1) {
      const match = await attempt();
      if (!this.isReachable(user)) {
        await this.ctx.services.queue.remove(user.userId);
        if (match) await this.requeue(match.partner);
        return;
      }
      if (!match) {
        if (announceWaiting) this.ctx.io.to(user.socketId).emit('waiting_for_partner');
        this.markWaiting(user);
        return;
      }
      if (await this.openRoom(user, match)) return;
      attempt = () => this.ctx.services.queue.matchOrEnqueue(user, Date.now());
    }
    this.ctx.logger.warn('pairing gave up after repeated vanished partners', { userId: user.userId });
    await this.ctx.services.queue.matchOrEnqueue(user, Date.now());
    this.markWaiting(user);
  }

  /** A matched partner whose pairing fell through goes back to the queue with its original wait. */
  private async requeue(user: WaitingUser): Promise<void> {
    if (this.isReachable(user)) await this.pair(user, () => this.ctx.services.queue.matchOrEnqueue(user, Date.now()), false);
  }

  /**
   * Remembers a waiting user of this node and schedules the end of their interest window (once it
   * ends the queue already treats them as open to anyone; the timer tries that at once).
   */
  private markWaiting(user: WaitingUser): void {
    if (user.nodeId === this.ctx.services.presence.nodeId) this.waitingHere.set(user.userId, user.socketId);
    clearTimeout(this.fallbackTimers.get(user.userId));
    this.fallbackTimers.delete(user.userId);
    const delay = user.enqueuedAt + this.ctx.config.matching.interestTimeoutMs - Date.now();
    if (delay <= 0) return;
    const timer = setTimeout(() => {
      this.fallBack(user).catch((error: unknown) =>
        this.ctx.logger.error('interest fallback failed', { userId: user.userId, error }),
      );
    }, delay);
    timer.unref();
    this.fallbackTimers.set(user.userId, timer);
  }

  /** The user is no longer waiting on this node: paired, left the queue, or gone. */
  stopWaiting(userId: string): void {
    clearTimeout(this.fallbackTimers.get(userId));
    this.fallbackTimers.delete(userId);
    this.waitingHere.delete(userId);
  }

  /** False when the partner vanished before the room was ready; the caller then tries again. */
  private async openRoom(user: WaitingUser, { partner, commonInterests }: Match): Promise<boolean> {
    if (!this.isReachable(partner)) return false;
    if (await this.nodeMissedHeartbeats(partner)) {
      // A waiter of a node that died (kill -9) before the survivors reaped it: the match took it out
      // of the queue, which is all the dropping it needs. Were its node only slow, that node's repair
      // queues it again within two heartbeats.
      this.ctx.logger.warn('dropped a waiting user of a silent node', { userId: partner.userId, nodeId: partner.nodeId });
      this.ctx.countClusterRepairs('dropped_ghost', 1);
      return false;
    }
    const { rooms, pairs } = this.ctx.services;
    const now = Date.now();
    // The partner waited longer, so it makes the offer: exactly one initiator per video room.
    const room = await rooms.create(user.type, partner, user, now);
    await pairs.recordMeeting(user, partner, now);
    // From this check to the join nothing awaits, so neither socket can leave in between.
    if (!this.isReachable(partner) || !this.isReachable(user)) {
      await rooms.close(room.id);
      if (this.isReachable(partner)) await this.requeue(partner);
      return !this.isReachable(user);
    }
    this.stopWaiting(user.userId);
    this.stopWaiting(partner.userId);
    this.joinRoom(room.id, [user, partner]);
    await this.remoteJoinSettled(room, [user, partner]);
    this.announce(room, partner, user, commonInterests, true);
    this.announce(room, user, partner, commonInterests, false);
    this.ctx.totals.matches += 1;
    this.ctx.observeMatchWait((now - partner.enqueuedAt) / 1000);
    this.ctx.observeMatchWait((now - user.enqueuedAt) / 1000);
    this.ctx.logger.debug('pair matched', { roomId: room.id, type: room.type, users: [partner.userId, user.userId] });
    await this.dissolveIfClosedMeanwhile(room);
    return true;
  }

  /**
   * The sharded adapter sends a room's traffic on a channel that a node subscribes to only once one
   * of its sockets is in the room, so a message sent the moment a partner is announced could reach
   * Redis before the other node listens. A cluster-wide fetch of the room is answered by that node
   * only after it handled the join (the request travels behind it), so once it returns, it listens.
   */
  private async remoteJoinSettled(room: Room, users: WaitingUser[]): Promise<void> {
    const here = this.ctx.services.presence.nodeId;
    if (users.every((member) => member.nodeId === here) || this.ctx.dependencyProblem()) return;
    try {
      await this.ctx.io.in(room.id).fetchSockets();
    } catch (error) {
      this.ctx.logger.warn('remote room join not confirmed', { roomId: room.id, error });
    }
  }

  /**
   * A user can end a room (skip, leave) between its creation and the join above, before any socket
   * was in it to be told or taken out. Checked after the join: a close that comes later removes
   * both sockets itself.
   */
  private async dissolveIfClosedMeanwhile(room: Room): Promise<void> {
    if (await this.ctx.services.rooms.get(room.id)) return;
    this.ctx.io.to(room.id).emit('partner_disconnected', { reason: 'left' });
    this.ctx.io.in(room.id).socketsLeave(room.id);
  }

  /**
   * Socket.io's cluster adapter changes a room's local members only after it has published the
   * change to Redis, so `io.in(...).socketsJoin` alone leaves a moment in which this node's own
   * sockets are announced a room they are not in yet (a message sent then is refused, a user who
   * drops then is saved for recovery without it). Local sockets join at once; other nodes are told
   * only when one of the users is theirs.
   */
  private joinRoom(roomId: string, users: WaitingUser[]): void {
    this.ctx.io.local.in(users.map((member) => member.socketId)).socketsJoin(roomId);
    const here = this.ctx.services.presence.nodeId;
    const remote = users.filter((member) => member.nodeId !== here).map((member) => member.socketId);
    if (remote.length > 0) this.ctx.io.in(remote).socketsJoin(roomId);
  }

  private announce(room: Room, to: WaitingUser, partner: WaitingUser, commonInterests: string[], initiator: boolean): void {
    const video = room.type === 'video';
    this.ctx.io.to(to.socketId).emit('partner_found', {
      roomId: room.id,
      partnerId: partner.userId,
      type: room.type,
      commonInterests,
      ...(video ? this.videoFields(to.userId, initiator) : {}),
    });
  }

  private videoFields(
    userId: string,
    initiator: boolean,
  ): Pick<PartnerFoundPayload, 'initiator' | 'iceServers' | 'iceTransportPolicy'> {
    const relayOnly = this.ctx.config.safety.iceRelayOnly;
    const iceServers = buildIceServers(this.ctx.config.ice, userId, Date.now(), relayOnly);
    return { initiator, iceServers, ...(relayOnly ? { iceTransportPolicy: 'relay' } : {}) };
  }

  /**
   * Closes the room once (whoever closes it first notifies), tells the partner why, and takes
   * both sockets out of the Socket.io room so nothing more reaches either side.
   */
  async endRoom(room: Room, leaverUserId: string | undefined, reason: LeaveReason): Promise<boolean> {
    const closed = await this.ctx.services.rooms.close(room.id);
    if (!closed) return false;
    const leaver = closed.users.find((participant) => participant.userId === leaverUserId);
    const notify = leaver ? this.ctx.io.to(room.id).except(leaver.socketId) : this.ctx.io.to(room.id);
    notify.emit('partner_disconnected', { reason });
    this.ctx.io.in(room.id).socketsLeave(room.id);
    this.ctx.logger.debug('room closed', { roomId: room.id, by: leaverUserId, reason });
    return true;
  }

  /**
   * Whether another node stopped heartbeating (or was reaped): silent for three heartbeats and for
   * half of NODE_DEAD_AFTER_MS, so a beat delayed by a busy event loop is not taken for a death.
   */
  private async nodeMissedHeartbeats({ nodeId }: Pick<WaitingUser, 'nodeId'>): Promise<boolean> {
    if (nodeId === this.ctx.services.presence.nodeId) return false;
    const last = await this.ctx.services.presence.lastHeartbeat(nodeId);
    const { heartbeatMs, deadAfterMs } = this.ctx.config.redis;
    return last === undefined || Date.now() - last > Math.max(3 * heartbeatMs, deadAfterMs / 2);
  }

  /** A local socket must still be connected; a socket on another node is that node's to vouch for. */
  private isReachable(user: Pick<WaitingUser, 'socketId' | 'nodeId'>): boolean {
    if (user.nodeId !== this.ctx.services.presence.nodeId) return true;
    return this.ctx.io.sockets.sockets.get(user.socketId)?.connected === true;
  }

  stop(): void {
    for (const timer of this.fallbackTimers.values()) clearTimeout(timer);
    this.fallbackTimers.clear();
    this.waitingHere.clear();
  }
}
