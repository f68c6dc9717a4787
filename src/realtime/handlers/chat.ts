import { v4 as uuidv4 } from 'uuid';
import type { ChatMessage } from '../events';
import type { ClientSocket, RealtimeContext } from '../context';
import { assertInRoom, assertPartnerReachable } from '../membership';
import type { PayloadOf } from '../schemas';

/** Delivered to everyone in the room, the sender included: its copy carries the server's id and time. */
export async function sendMessage(
  ctx: RealtimeContext,
  socket: ClientSocket,
  { roomId, message }: PayloadOf<'send_message'>,
): Promise<void> {
  assertInRoom(socket, roomId);
  assertPartnerReachable(ctx, roomId);
  const chatMessage: ChatMessage = {
    id: uuidv4(),
    text: message,
    sender: socket.data.userId,
    timestamp: Date.now(),
    type: 'text',
  };
  ctx.io.to(roomId).emit('new_message', chatMessage);
  ctx.totals.messagesRelayed += 1;
  // History is a convenience: the conversation goes on without it. An outage is logged once where
  // it began; anything else is a failure of its own.
  await ctx.services.rooms.appendMessage(roomId, chatMessage).catch((error: unknown) => {
    if (!ctx.dependencyProblem()) ctx.logger.error('message history append failed', { roomId, error: String(error) });
  });
}

/** Partner only, and volatile: a lost typing flag is harmless, a queued backlog of them is not. */
export async function typing(
  _ctx: RealtimeContext,
  socket: ClientSocket,
  { roomId, isTyping }: PayloadOf<'typing'>,
): Promise<void> {
  assertInRoom(socket, roomId);
  socket.to(roomId).volatile.emit('user_typing', { isTyping });
}
