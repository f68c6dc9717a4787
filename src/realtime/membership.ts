import type { Participant, Room } from '../domain/types';
import { ClientError } from '../errors';
import type { ClientSocket, RealtimeContext } from './context';

/**
 * A roomId from a client is only a claim: it holds when the server put this socket in that room.
 * A socket's own id is a Socket.io room too, and never a valid target.
 */
export function assertInRoom(socket: ClientSocket, roomId: string): void {
  if (roomId === socket.id || !socket.rooms.has(roomId)) throw new ClientError('NOT_IN_ROOM');
}

/**
 * While the cluster is unreachable only this node's sockets can be reached: a message for a partner
 * on another node is refused rather than confirmed to its sender and lost.
 */
export function assertPartnerReachable(ctx: RealtimeContext, roomId: string): void {
  if (!ctx.dependencyProblem()) return;
  if ((ctx.io.of('/').adapter.rooms.get(roomId)?.size ?? 0) < 2)
    throw new ClientError('UNAVAILABLE', "Your partner's server cannot be reached right now; try again shortly");
}

/** The room behind a verified claim; NOT_IN_ROOM when it has just ended. */
export async function claimedRoom(ctx: RealtimeContext, socket: ClientSocket, roomId: string): Promise<Room> {
  assertInRoom(socket, roomId);
  const room = await ctx.services.rooms.get(roomId);
  if (!room) throw new ClientError('NOT_IN_ROOM');
  return room;
}

export function partnerIn(room: Room, userId: string): Participant {
  return room.users[0].userId === userId ? room.users[1] : room.users[0];
}
