import type { ClientSocket, RealtimeContext } from '../context';
import { assertInRoom } from '../membership';
import type { PayloadOf } from '../schemas';

/** Relayed to the partner only, unchanged, in the order the sender sent them. */
export async function offer(ctx: RealtimeContext, socket: ClientSocket, { roomId, offer }: PayloadOf<'offer'>): Promise<void> {
  assertInRoom(socket, roomId);
  socket.to(roomId).emit('offer', { offer });
  ctx.totals.signalsRelayed += 1;
}

export async function answer(ctx: RealtimeContext, socket: ClientSocket, { roomId, answer }: PayloadOf<'answer'>): Promise<void> {
  assertInRoom(socket, roomId);
  socket.to(roomId).emit('answer', { answer });
  ctx.totals.signalsRelayed += 1;
}

export async function iceCandidate(
  ctx: RealtimeContext,
  socket: ClientSocket,
  { roomId, candidate }: PayloadOf<'ice_candidate'>,
): Promise<void> {
  assertInRoom(socket, roomId);
  socket.to(roomId).emit('ice_candidate', { candidate });
  ctx.totals.signalsRelayed += 1;
}
