import type { ClientSocket, RealtimeContext } from '../context';
import { assertInRoom, assertPartnerReachable } from '../membership';
import type { PayloadOf } from '../schemas';

/**
 * Relayed to the partner only, in the order the sender sent them; unchanged unless ICE_RELAY_ONLY
 * keeps everything but relay candidates from the partner. While the cluster is unreachable a signal
 * for a partner on another node is refused (UNAVAILABLE), so the sender knows to retry rather than
 * wait for an answer that cannot come.
 */
export async function offer(ctx: RealtimeContext, socket: ClientSocket, { roomId, offer }: PayloadOf<'offer'>): Promise<void> {
  assertInRoom(socket, roomId);
  assertPartnerReachable(ctx, roomId);
  const relayOnly = ctx.safety.relayOnly;
  socket.to(roomId).emit('offer', { offer: relayOnly ? relayOnly.description(offer) : offer });
  ctx.totals.signalsRelayed += 1;
}

export async function answer(ctx: RealtimeContext, socket: ClientSocket, { roomId, answer }: PayloadOf<'answer'>): Promise<void> {
  assertInRoom(socket, roomId);
  assertPartnerReachable(ctx, roomId);
  const relayOnly = ctx.safety.relayOnly;
  socket.to(roomId).emit('answer', { answer: relayOnly ? relayOnly.description(answer) : answer });
  ctx.totals.signalsRelayed += 1;
}

export async function iceCandidate(
  ctx: RealtimeContext,
  socket: ClientSocket,
  { roomId, candidate }: PayloadOf<'ice_candidate'>,
): Promise<void> {
  assertInRoom(socket, roomId);
  assertPartnerReachable(ctx, roomId);
  const relayed = ctx.safety.relayOnly ? ctx.safety.relayOnly.candidate(candidate) : candidate;
  if (!relayed) return;
  socket.to(roomId).emit('ice_candidate', { candidate: relayed });
  ctx.totals.signalsRelayed += 1;
}
