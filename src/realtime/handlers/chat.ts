import { v4 as uuidv4 } from 'uuid';
import { ClientError } from '../../errors';
import type { ChatMessage } from '../../contract/events';
import type { ClientSocket, RealtimeContext } from '../context';
import { assertInRoom, assertPartnerReachable } from '../membership';
import type { PayloadOf } from '../schemas';

/**
 * Delivered to everyone in the room, the sender included: both copies carry the server's id and time.
 * The partner's copy names the sender by its anonymous id (= their partner_found.partnerId); the
 * sender's own copy is marked `self` and names it by the `userId` label it joined with, so a front end
 * written against the seed README, which knows only that label, tells its own messages apart.
 */
export async function sendMessage(
  ctx: RealtimeContext,
  socket: ClientSocket,
  { roomId, message }: PayloadOf<'send_message'>,
): Promise<void> {
  assertInRoom(socket, roomId);
  assertPartnerReachable(ctx, roomId);
  const text = ctx.safety.screenMessage
    ? await ctx.safety.screenMessage({ roomId, senderId: socket.data.userId, text: message })
    : message;
  if (text === undefined) throw new ClientError('MESSAGE_REJECTED');
  const chatMessage: ChatMessage = {
    id: uuidv4(),
    text,
    sender: socket.data.userId,
    timestamp: Date.now(),
    type: 'text',
  };
  socket.to(roomId).emit('new_message', chatMessage);
  // Through the socket's own room, not socket.emit, so connection state recovery replays it too.
  ctx.io.to(socket.id).emit('new_message', { ...chatMessage, sender: socket.data.label ?? chatMessage.sender, self: true });
  ctx.totals.messagesRelayed += 1;
  // History is a convenience: the conversation goes on without it. An outage is logged once where
  // it began; anything else is a failure of its own.
  await ctx.history.append(roomId, chatMessage).catch((error: unknown) => {
    if (!ctx.dependencyProblem()) ctx.logger.error('message history append failed', { roomId, error });
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
